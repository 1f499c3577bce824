import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { bridgelineOnOwnRedis, testAdminToken } from '../support/app';
import {
  aFlowId,
  aFlowInput,
  flowYaml,
  withNode,
} from '../support/flow-factories';
import { anAccountInput, call } from '../support/accounts';
import { aPhone } from '../support/factories';
import { launchChromium } from '../support/browser';

/**
 * The admin pages in Debian's chromium, driven as an admin would: sign in
 * with the admin token, break a flow and read the error at its node, fix
 * it, simulate a caller, publish, read the diff, roll back. With
 * BRIDGELINE_SCREENSHOTS=1 the run also writes docs/admin-editor.png and
 * docs/admin-history.png (CI leaves the committed ones alone).
 */

const screenshots = process.env.BRIDGELINE_SCREENSHOTS === '1';
const docs = path.join(__dirname, '..', '..', 'docs');

const opened: { browser?: BrowserContext } = {};
afterAll(async () => {
  await opened.browser?.close();
});
const running = bridgelineOnOwnRedis();

async function admin(method: string, route: string, body?: unknown) {
  const response = await fetch(`${running.base}/api/admin${route}`, {
    method,
    headers: {
      authorization: `Bearer ${testAdminToken}`,
      'content-type': 'application/json',
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  expect(response.ok).toBe(true);
  return (await response.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  opened.browser = await launchChromium({ width: 1360, height: 1000 });
});

const oldPrompt = 'For billing press 1. To leave, press 2.';
const newPrompt = 'For billing, press 1. To say goodbye, press 2.';

/** The factory's flow with the menu reworded; `next` for the first key. */
function rewordedMenu(flowId: string, billingNext: string): string {
  const flow = aFlowInput({ id: flowId });
  return flowYaml(
    withNode(flow, 'main-menu', {
      type: 'menu',
      prompt: newPrompt,
      choices: [
        { key: '1', phrases: ['billing'], next: billingNext },
        { key: '2', phrases: ['goodbye'], next: 'goodbye' },
      ],
      on: { timeout: 'goodbye', noMatch: 'goodbye' },
    }),
  );
}

async function signInWithToken(page: Page): Promise<void> {
  await page.goto(`${running.base}/admin`);
  await page.getByLabel('Admin token').fill(testAdminToken);
  await page.getByRole('button', { name: 'Use the admin token' }).click();
  await page.getByRole('heading', { name: 'Flows' }).waitFor();
}

// Run in the page: the text selected in a textarea.
const selectedText = (node: {
  value: string;
  selectionStart: number;
  selectionEnd: number;
}) => node.value.slice(node.selectionStart, node.selectionEnd);

/** Waits until the element shows the text, up to the default deadline. */
async function shows(page: Page, selector: string, text: string) {
  await page.locator(selector, { hasText: text }).waitFor();
}

describe('the admin flow editor', () => {
  it('lets an admin break a flow, see the error at its node, fix, simulate, publish and roll back', async () => {
    const { browser } = opened as Required<typeof opened>;
    const flowId = aFlowId();
    await admin('PUT', `/flows/${flowId}/draft`, {
      source: flowYaml(aFlowInput({ id: flowId })),
    });
    await admin('POST', `/flows/${flowId}/publish`, { note: 'first cut' });

    const page = await browser.newPage();
    await signInWithToken(page);
    await page.getByRole('link', { name: flowId }).click();
    await shows(page, '#live-version', 'Live: version 1');

    // A typo in a choice's target: the error appears at that node.
    const source = page.locator('#source');
    await source.fill(rewordedMenu(flowId, 'biling'));
    const menu = page.locator('[data-node="main-menu"]');
    await menu.locator('.problem-message').waitFor();
    await expect(menu.locator('.problem-message').textContent()).resolves.toBe(
      'leads to "biling", but this flow has no node with that id',
    );
    await expect(menu.locator('.problem-pointer').textContent()).resolves.toBe(
      '/nodes/main-menu/choices/0/next',
    );
    await expect(menu.getAttribute('class')).resolves.toContain('has-problems');
    // With the choice gone, nothing leads to billing any more: said there.
    const billing = page.locator('[data-node="billing"] .problem-message');
    await expect(billing.textContent()).resolves.toMatch(
      /^no path from the start/,
    );
    await shows(page, '#problem-count', '2 problems');
    await expect(page.locator('.has-problems').count()).resolves.toBe(2);
    // A click on a node puts the cursor on it in the text.
    await menu.locator('.node-id').click();
    await expect(source.evaluate(selectedText)).resolves.toBe('main-menu');
    if (screenshots) {
      await page.screenshot({ path: path.join(docs, 'admin-editor.png') });
    }

    await source.fill(rewordedMenu(flowId, 'billing'));
    await page.getByText('No problems').waitFor();
    await expect(page.locator('.has-problems').count()).resolves.toBe(0);

    // A caller who presses 1 reaches billing, hearing the new menu.
    await page.getByLabel('Input 1 value').fill('1');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.locator('#sim-path').waitFor();
    await expect(
      page.locator('#sim-path li').allTextContents(),
    ).resolves.toEqual(['greet', 'main-menu', 'billing', 'goodbye']);
    await expect(page.locator('.prompt').allTextContents()).resolves.toContain(
      newPrompt,
    );

    // A note with markup in it is shown as the text it is.
    const note = '<b>Reworded</b> the menu';
    await page.getByLabel('Note').fill(note);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Published version 2; it is live.').waitFor();
    await shows(page, '#live-version', 'Live: version 2');
    const newest = page.locator('#versions-body tr').first();
    await expect(newest.locator('td').nth(1).textContent()).resolves.toBe(note);
    await expect(page.locator('#versions-body b').count()).resolves.toBe(0);

    await page.getByRole('button', { name: 'Show diff' }).click();
    await page.locator('.line.add').first().waitFor();
    await expect(page.locator('.line.del').allTextContents()).resolves.toEqual([
      `-    prompt: ${oldPrompt}`,
    ]);
    await expect(page.locator('.line.add').allTextContents()).resolves.toEqual([
      `+    prompt: ${newPrompt}`,
    ]);
    if (screenshots) {
      await page
        .locator('.panel.wide')
        .screenshot({ path: path.join(docs, 'admin-history.png') });
    }

    await page.getByRole('button', { name: 'Roll back' }).click();
    await page.getByText('Rolled back: live is version 1 again').waitFor();
    await shows(page, '#live-version', 'Live: version 1');
    const details = await admin('GET', `/flows/${flowId}`);
    expect(details.aliases).toEqual({ live: 1 });
    await page.close();
  });

  it('when a scenario fails, refuses the publish and shows which, until the admin fixes it', async () => {
    const { browser } = opened as Required<typeof opened>;
    const flowId = aFlowId();
    const scenarios = (heard: string) =>
      flowYaml({
        flow: flowId,
        scenarios: [
          {
            name: 'a caller hears the billing choice',
            now: '2026-12-08T10:00:00-05:00',
            expect: { prompts: [heard] },
          },
        ],
      });
    await admin('PUT', `/flows/${flowId}/draft`, {
      source: flowYaml(aFlowInput({ id: flowId })),
      scenarios: scenarios('For billing press 1.'),
    });

    const page = await browser.newPage();
    await signInWithToken(page);
    await page.goto(`${running.base}/admin#/flows/${flowId}`);
    await shows(page, '#live-version', 'Not live');
    await page.locator('#source').fill(rewordedMenu(flowId, 'billing'));
    await page.getByRole('button', { name: 'Publish' }).click();
    await shows(page, '#publish-status', 'Not published: scenarios failed.');
    await expect(
      page.locator('#scenario-results code').allTextContents(),
    ).resolves.toEqual(['a caller hears the billing choice']);
    await shows(page, '#live-version', 'Not live');

    await page.getByText('Scenarios (YAML)').click();
    await page.getByLabel('Scenarios').fill(scenarios('For billing, press 1.'));
    await page.getByRole('button', { name: 'Publish' }).click();
    await shows(page, '#live-version', 'Live: version 1');
    await expect(page.locator('#scenario-results li').count()).resolves.toBe(0);
    await page.close();
  });

  it('when another admin saved first, says so and loads their draft', async () => {
    const { browser } = opened as Required<typeof opened>;
    const flowId = aFlowId();
    const first = await admin('PUT', `/flows/${flowId}/draft`, {
      source: flowYaml(aFlowInput({ id: flowId })),
    });

    const page = await browser.newPage();
    await signInWithToken(page);
    await page.goto(`${running.base}/admin#/flows/${flowId}`);
    await shows(page, '#problem-count', 'No problems');
    const theirs = flowYaml(aFlowInput({ id: flowId, name: 'Grace was here' }));
    await admin('PUT', `/flows/${flowId}/draft`, {
      source: theirs,
      expectedChecksum: first.checksum,
    });

    await page.locator('#source').fill(rewordedMenu(flowId, 'billing'));
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.locator('#conflict').waitFor();
    await page.getByRole('button', { name: 'Load their draft' }).click();
    await shows(page, '#save-status', 'Draft loaded');
    await expect(page.locator('#conflict').isHidden()).resolves.toBe(true);
    await expect(page.locator('#source').inputValue()).resolves.toBe(theirs);
    await page.close();
  });

  it('when an admin leaves a flow with unsaved changes, asks first', async () => {
    const { browser } = opened as Required<typeof opened>;
    const flowId = aFlowId();
    await admin('PUT', `/flows/${flowId}/draft`, {
      source: flowYaml(aFlowInput({ id: flowId })),
    });
    const page = await browser.newPage();
    await signInWithToken(page);
    await page.goto(`${running.base}/admin#/flows/${flowId}`);
    await shows(page, '#save-status', 'Draft loaded');
    const edited = rewordedMenu(flowId, 'billing');
    await page.locator('#source').fill(edited);

    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole('link', { name: 'Flows' }).click();
    await page.waitForURL(`**/admin#/flows/${flowId}`);
    expect(asked).toEqual(['Leave this flow without saving your changes?']);
    await expect(page.locator('#source').inputValue()).resolves.toBe(edited);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('link', { name: 'Flows' }).click();
    await page.getByRole('heading', { name: 'Flows' }).waitFor();
    await page.close();
  });

  it('lets an admin send a number to a flow and back to main', async () => {
    const { browser } = opened as Required<typeof opened>;
    const flowId = aFlowId();
    await admin('PUT', `/flows/${flowId}/draft`, {
      source: flowYaml(aFlowInput({ id: flowId })),
    });
    const number = aPhone();

    const page = await browser.newPage();
    await signInWithToken(page);
    await page.getByRole('link', { name: 'Numbers' }).click();
    await page.getByLabel('Number', { exact: true }).fill(number);
    await page.locator('#number-flow').selectOption(flowId);
    await page.getByRole('button', { name: 'Add' }).click();
    await page.locator(`[data-number="${number}"]`).waitFor();
    await expect(admin('GET', `/numbers/${number}`)).resolves.toEqual({
      number,
      flowId,
      alias: 'live',
    });

    await page
      .locator(`[data-number="${number}"]`)
      .getByRole('button', { name: 'Remove' })
      .click();
    await page.getByText(`${number} now gets the flow main.`).waitFor();
    await page.close();
  });

  it('lets an admin account sign in with its password, and turns an agent away', async () => {
    const { browser } = opened as Required<typeof opened>;
    const signInAs = async (role: 'admin' | 'agent') => {
      const input = anAccountInput({ role, displayName: `Ada the ${role}` });
      const created = await call(
        running.base,
        'POST',
        '/api/admin/accounts',
        input,
      );
      expect(created.status).toBe(201);
      const page = await browser.newPage();
      await page.goto(`${running.base}/admin`);
      await page.getByLabel('Username').fill(input.username);
      await page.getByLabel('Password').fill(input.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      return page;
    };

    const adminPage = await signInAs('admin');
    await adminPage.getByRole('heading', { name: 'Flows' }).waitFor();
    await shows(adminPage, '#who', 'Ada the admin');
    await adminPage.getByRole('link', { name: 'main' }).waitFor();
    // Signing out ends the session, so the next page asks again.
    await adminPage.getByRole('button', { name: 'Sign out' }).click();
    await adminPage.getByRole('heading', { name: 'Sign in' }).waitFor();
    await adminPage.close();

    const agentPage = await signInAs('agent');
    await shows(
      agentPage,
      '#sign-in-status',
      'Ada the agent is signed in, but only an admin may edit flows.',
    );
    await agentPage.close();
  });

  it('serves the page with a policy that runs only its own scripts', async () => {
    const response = await fetch(`${running.base}/admin`);
    expect(response.status).toBe(200);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');

    const script = await fetch(`${running.base}/admin/editor.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const missing = await fetch(`${running.base}/admin/..%2Fpackage.json`);
    expect(missing.status).toBe(404);
  });
});
