import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import {
  aPassword,
  aUsername,
  anAccountInput,
  call,
} from '../support/accounts';
import { aContact } from '../support/acd';
import { bridgelineOnOwnRedis, testAdminToken } from '../support/app';
import { launchChromium } from '../support/browser';

/**
 * The admin pages for queues, skills and agents in Debian's chromium,
 * driven as an admin would: create a queue and an agent, read who can
 * serve the queue, fix the agent's queues, trip over a taken username,
 * watch a waiting contact appear in the live figures, disable the agent
 * and delete the queue. With BRIDGELINE_SCREENSHOTS=1 the run also
 * writes docs/admin-agents.png (CI leaves the committed one alone).
 */

const screenshots = process.env.BRIDGELINE_SCREENSHOTS === '1';
const docs = path.join(__dirname, '..', '..', 'docs');

const opened: { browser?: BrowserContext } = {};
afterAll(async () => {
  await opened.browser?.close();
});
const running = bridgelineOnOwnRedis();

beforeAll(async () => {
  opened.browser = await launchChromium({ width: 1360, height: 1000 });
});

async function signInWithToken(page: Page): Promise<void> {
  // Shorter than jest's deadline, so a step that never comes fails with
  // its locator named rather than as a bare test timeout.
  page.setDefaultTimeout(10_000);
  await page.goto(`${running.base}/admin`);
  await page.getByLabel('Admin token').fill(testAdminToken);
  await page.getByRole('button', { name: 'Use the admin token' }).click();
  await page.getByRole('heading', { name: 'Flows' }).waitFor();
}

/** Opens a section from the nav and waits for its heading. */
async function open(page: Page, section: 'Queues' | 'Skills' | 'Agents') {
  await page.locator('#nav').getByRole('link', { name: section }).click();
  await page.getByRole('heading', { name: section, exact: true }).waitFor();
}

/** Waits until the element shows the text, up to the default deadline. */
async function shows(page: Page, selector: string, text: string | RegExp) {
  await page.locator(selector, { hasText: text }).waitFor();
}

async function createQueue(page: Page, id: string, skills: string) {
  await page.getByLabel('Queue id').fill(id);
  await page.getByLabel('Name', { exact: true }).fill('Billing line');
  await page.getByLabel('Skills needed (comma separated)').fill(skills);
  await page.getByLabel('Service level target (seconds)').fill('30');
  await page.getByLabel('Priority (1 to 9)').fill('3');
  await page.getByRole('button', { name: 'Save queue' }).click();
  await shows(page, '#queues-status', `Queue ${id} saved.`);
}

const accountForm = (page: Page) => page.locator('#agent-form');

async function fillAccount(page: Page, username: string, queues: string) {
  const form = accountForm(page);
  await form.getByLabel('Username', { exact: true }).fill(username);
  await form.getByLabel('Display name').fill('Grace Hopper');
  await form.getByLabel('Role').selectOption('agent');
  await form.getByLabel('Password', { exact: true }).fill(aPassword());
  await form.getByLabel('Skills (comma separated)').fill('billing');
  await form.getByLabel('Queues (comma separated)').fill(queues);
  await form.getByRole('button', { name: 'Save account' }).click();
}

const coverageOf = (page: Page, queue: string) =>
  page.locator(
    `#coverage-body tr[data-queue="${queue}"] [data-field="served-by"]`,
  );

describe('the admin pages for queues, skills and agents', () => {
  it('lets an admin set up a queue and an agent, see who serves it, and watch it live', async () => {
    const { browser } = opened as Required<typeof opened>;
    const queue = 'billing-line';
    const username = aUsername('grace');
    const page = await browser.newPage();
    await signInWithToken(page);

    await open(page, 'Queues');
    await createQueue(page, queue, 'billing');
    const queueRow = page.locator(`#queues-body tr[data-queue="${queue}"]`);
    await expect(queueRow.locator('td').allTextContents()).resolves.toEqual([
      queue,
      'Billing line',
      'billing',
      '30 s',
      '15 s',
      '3',
      'EditDelete',
    ]);

    await open(page, 'Agents');
    await fillAccount(page, username, 'support');
    await shows(page, '#agents-status', `${username} saved.`);
    // The account reached the ACD: its live state is shown.
    await shows(
      page,
      `#agents-body tr[data-username="${username}"]`,
      'offline, ',
    );
    const agentRow = page.locator(
      `#agents-body tr[data-username="${username}"]`,
    );
    await expect(agentRow.locator('td').nth(1).textContent()).resolves.toBe(
      'Grace Hopper',
    );
    await expect(
      agentRow.locator('[data-field="skills"]').textContent(),
    ).resolves.toBe('billing');
    // The form is empty again: no password stays on the page.
    await expect(
      accountForm(page).getByLabel('Username', { exact: true }).inputValue(),
    ).resolves.toBe('');
    await expect(
      accountForm(page).getByLabel('Password', { exact: true }).inputValue(),
    ).resolves.toBe('');

    // The agent has the skill but not the queue: nobody serves it yet.
    await open(page, 'Skills');
    const billing = page.locator('#skills-body tr[data-skill="billing"]');
    await shows(page, '#skills-body [data-skill="billing"]', queue);
    await expect(
      billing.locator('[data-field="queues"]').textContent(),
    ).resolves.toBe(queue);
    await expect(
      billing.locator('[data-field="agents"]').textContent(),
    ).resolves.toBe(`Grace Hopper (${username})`);
    await expect(coverageOf(page, queue).textContent()).resolves.toBe(
      'nobody can serve this queue',
    );

    await open(page, 'Agents');
    await agentRow.getByRole('button', { name: 'Edit' }).click();
    await expect(
      accountForm(page).getByLabel('Username', { exact: true }).inputValue(),
    ).resolves.toBe(username);
    await accountForm(page)
      .getByLabel('Queues (comma separated)')
      .fill(`support, ${queue}`);
    await accountForm(page)
      .getByRole('button', { name: 'Save account' })
      .click();
    await shows(
      page,
      `#agents-body tr[data-username="${username}"] [data-field="queues"]`,
      `support, ${queue}`,
    );

    await open(page, 'Skills');
    await shows(page, `#coverage-body tr[data-queue="${queue}"]`, username);
    await expect(coverageOf(page, queue).textContent()).resolves.toBe(
      `Grace Hopper (${username})`,
    );

    // A second account with the same username: the error is at the field.
    await open(page, 'Agents');
    await fillAccount(page, username, 'support');
    const usernameError = page.locator(
      '#agent-form [data-error-for="username"]',
    );
    await usernameError.waitFor();
    await expect(usernameError.textContent()).resolves.toBe(
      'Another account has that username; pick another.',
    );
    await expect(
      accountForm(page)
        .getByLabel('Username', { exact: true })
        .getAttribute('aria-invalid'),
    ).resolves.toBe('true');
    await expect(page.locator('#agents-body tr').count()).resolves.toBe(1);
    await accountForm(page).getByRole('button', { name: 'Cancel' }).click();

    // A contact no one is signed in to take waits in the queue.
    await running.app.agents.acd.enqueue(aContact({ queue, kind: 'voice' }));
    await open(page, 'Queues');
    const live = page.locator(`#live-body tr[data-queue="${queue}"]`);
    await shows(
      page,
      `#live-body tr[data-queue="${queue}"] [data-figure="waiting"]`,
      '1',
    );
    await expect(
      live.locator('[data-figure="agents"]').textContent(),
    ).resolves.toBe('0 / 0');
    await expect(
      live.locator('[data-figure="service-level"]').textContent(),
    ).resolves.toBe('— in 30 s');
    await expect(live.getAttribute('class')).resolves.toBe('alert');
    await shows(page, '#agent-states-body tr', `Grace Hopper (${username})`);
    if (screenshots) {
      await page.screenshot({
        path: path.join(docs, 'admin-agents.png'),
        fullPage: true,
      });
    }

    await open(page, 'Agents');
    await agentRow.getByRole('button', { name: 'Disable' }).click();
    await shows(page, '#agents-status', `${username} is disabled.`);
    await expect(
      agentRow.locator('[data-field="status"]').textContent(),
    ).resolves.toBe('disabled');
    await agentRow.getByRole('button', { name: 'Enable' }).waitFor();

    // Disabled, the agent serves nothing.
    await open(page, 'Skills');
    await shows(
      page,
      `#coverage-body tr[data-queue="${queue}"]`,
      'nobody can serve this queue',
    );

    // Deleting asks first; the queue leaves the list once confirmed.
    await open(page, 'Queues');
    page.once('dialog', (dialog) => void dialog.accept());
    await queueRow.getByRole('button', { name: 'Delete' }).click();
    await shows(page, '#queues-status', `Queue ${queue} deleted.`);
    await expect(queueRow.count()).resolves.toBe(0);
    await page.close();
  });

  it('shows a bad queue setting next to its field and saves nothing', async () => {
    const { browser } = opened as Required<typeof opened>;
    const page = await browser.newPage();
    await signInWithToken(page);
    await open(page, 'Queues');

    await page.getByLabel('Queue id').fill('slow-line');
    await page.getByLabel('Name', { exact: true }).fill('Slow line');
    await page.getByLabel('Priority (1 to 9)').fill('12');
    await page.getByRole('button', { name: 'Save queue' }).click();

    const error = page.locator('#queue-form [data-error-for="priority"]');
    await error.waitFor();
    await expect(error.textContent()).resolves.toMatch(/9/);
    await expect(
      page.locator('#queues-body tr[data-queue="slow-line"]').count(),
    ).resolves.toBe(0);
    await page.close();
  });

  it('sets a new password and deletes an account only once confirmed', async () => {
    const { browser } = opened as Required<typeof opened>;
    const input = anAccountInput({ displayName: 'Alan Turing' });
    const created = await call(
      running.base,
      'POST',
      '/api/admin/accounts',
      input,
    );
    expect(created.status).toBe(201);
    const page = await browser.newPage();
    await signInWithToken(page);
    await open(page, 'Agents');
    const row = page.locator(
      `#agents-body tr[data-username="${input.username}"]`,
    );

    const password = aPassword();
    await row.getByRole('button', { name: 'New password' }).click();
    await shows(page, '#password-form-title', input.username);
    await page.getByLabel('New password').fill(password);
    await page.getByRole('button', { name: 'Set password' }).click();
    await shows(
      page,
      '#agents-status',
      `${input.username} has a new password.`,
    );
    await expect(page.locator('#password-form').isHidden()).resolves.toBe(true);
    const login = await call(
      running.base,
      'POST',
      '/api/auth/login',
      {
        username: input.username,
        password,
      },
      {},
    );
    expect(login.status).toBe(200);
    // Neither password nor hash is anywhere in the page.
    const html = await page.content();
    expect(html).not.toContain(password);
    expect(html).not.toContain(input.password);
    expect(html).not.toContain('scrypt$');

    // Turned down at the question, the account stays.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await row.getByRole('button', { name: 'Delete' }).click();
    await expect(row.count()).resolves.toBe(1);
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Delete' }).click();
    await shows(page, '#agents-status', `${input.username} deleted.`);
    await expect(row.count()).resolves.toBe(0);
    await page.close();
  });

  it('when a supervisor signs in, shows the live figures and nothing to edit', async () => {
    const { browser } = opened as Required<typeof opened>;
    const queue = 'watch-line';
    const defined = await call(
      running.base,
      'PUT',
      `/api/admin/queues/${queue}`,
      {
        name: 'Watched line',
      },
    );
    expect(defined.status).toBe(200);
    const supervisor = anAccountInput({ role: 'supervisor', queues: [] });
    await call(running.base, 'POST', '/api/admin/accounts', supervisor);
    await running.app.agents.acd.enqueue(aContact({ queue, kind: 'chat' }));

    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${running.base}/admin`);
    await page.getByLabel('Username').fill(supervisor.username);
    await page.getByLabel('Password').fill(supervisor.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await shows(
      page,
      `#live-body tr[data-queue="${queue}"] [data-figure="waiting"]`,
      '1',
    );
    await expect(
      page.locator('#nav a:visible').allTextContents(),
    ).resolves.toEqual(['Queues']);
    await expect(page.locator('#queue-definitions').isHidden()).resolves.toBe(
      true,
    );
    await page.close();
  });
});
