import type { BrowserContext, Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web';
import type { ContextStore } from '../../src/context/store';
import { until } from '../support/callbacks';
import { anAccountInput } from '../support/accounts';
import {
  aContact,
  anOffer,
  aSipRegistrar,
  startDesktopServer,
  type DesktopServer,
} from '../support/desktop';
import { aCustomer } from '../support/factories';
import { storeOnOwnRedis } from '../support/redis';
import { launchChromium } from '../support/browser';

/**
 * The agent desktop in Debian's chromium, driven as an agent would: sign
 * in, become available, a caller is offered with their screen-pop,
 * the agent reads it and accepts. Customer text that looks like markup
 * stays text. docs/desktop.png comes from digital-desktop.test.ts.
 */

const opened: { browser?: BrowserContext; server?: DesktopServer } = {};
// Declared before the store's own afterAll, so it runs before Redis stops.
afterAll(async () => {
  await opened.browser?.close();
  await opened.server?.close();
});
const context = storeOnOwnRedis();

beforeAll(async () => {
  // The page loads JsSIP from the bundle the build writes.
  await buildWeb();
  opened.server = await startDesktopServer(context.store, {
    withAcd: true,
    withSessions: true,
  });
  await opened.server.acd?.defineQueue('support', { name: 'Support' });
  opened.browser = await launchChromium({ width: 1360, height: 1000 });
});

function started() {
  const { browser, server } = opened;
  if (!browser || !server?.acd || !server.accounts) {
    throw new Error('the browser or the desktop server did not start');
  }
  return { browser, server, acd: server.acd, accounts: server.accounts };
}

/** The desktop page, signed in through its form as a new agent. */
async function aDesktopPage(server = started().server, sipPassword?: string) {
  const { browser } = started();
  const { acd, accounts } = server;
  if (!acd || !accounts) {
    throw new Error('start the desktop server withAcd and withSessions');
  }
  const input = anAccountInput({
    displayName: 'Grace Hopper',
    ...(sipPassword === undefined ? {} : { sipPassword }),
  });
  const account = await accounts.accounts.create(input);
  await acd.upsertAgent({ id: account.id, queues: ['support'] });
  // Signed out: the last test's agent left their session cookie.
  await browser.clearCookies();
  const page = await browser.newPage();
  page.setDefaultTimeout(8000);
  const alerts: string[] = [];
  page.on('dialog', (dialog) => {
    alerts.push(dialog.message());
    void dialog.dismiss();
  });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${server.base}/desktop`);

  // No session yet: the socket is refused and the page asks who it is.
  await page.getByLabel('Username').fill(input.username);
  await page.getByLabel('Password', { exact: true }).fill(input.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Connected', { exact: true }).waitFor();
  return { page, agent: { accountId: account.id }, input, alerts, errors };
}

/** A caller with a chat earlier, walking the IVR now. */
async function aCaller(store: ContextStore, name: string, said: string) {
  const { customer } = await aCustomer(store, { name });
  const conversation = await store.openConversation(customer.id, {
    subject: 'Late delivery',
    channel: 'chat',
  });
  const callSid = `CA${Date.now()}`;
  await store.appendEvents(customer.id, [
    {
      type: 'chat.message',
      direction: 'inbound',
      text: said,
      conversationId: conversation.id,
    },
    { type: 'ivr.step', callSid, node: 'main-menu', input: '2' },
  ]);
  return aContact({
    customerId: customer.id,
    conversationId: conversation.id,
    callSid,
  });
}

async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).textContent()) ?? '';
}

describe('the agent desktop', () => {
  it('pops the caller, their chat and IVR path, and accepts the offer', async () => {
    const { acd } = started();
    const { page, agent, errors } = await aDesktopPage();
    await page.getByText('softphone offline').waitFor();
    await page.getByLabel('State').selectOption('available');
    await until(
      async () => (await acd.agent(agent.accountId)).state === 'available',
    );
    const contact = await aCaller(
      context.store,
      'Ada Lovelace',
      'My parcel is late',
    );

    const routed = await acd.enqueue({
      ...contact,
      preferredAgentId: agent.accountId,
    });
    expect(routed.status).toBe('offered');

    await page.locator('#customer-name', { hasText: 'Ada Lovelace' }).waitFor();
    await page.getByText('My parcel is late').waitFor();
    expect(await textOf(page, '#ivr-path')).toBe('main-menu: 2');
    expect(await textOf(page, '#offer-reason')).toBe(
      'You handled this customer before',
    );
    await page.locator('#identities .verified').first().waitFor();
    await page.locator('#identities .unverified').first().waitFor();
    expect(await page.locator('#reply-channel').textContent()).toBe('chat');

    await page.getByRole('button', { name: 'Accept' }).click();
    await until(
      async () => (await acd.agent(agent.accountId)).state === 'on-contact',
    );
    // Every tab is told the state the ACD now holds.
    await until(
      async () =>
        (await page.getByLabel('State').inputValue()) === 'on-contact',
    );
    await page.getByLabel('Wrap-up note').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a name and a message that look like markup as text', async () => {
    const { server } = started();
    const { page, agent, alerts } = await aDesktopPage();
    const name = '<img src=x onerror=alert(1)>';
    const said = '<script>alert(2)</script><b>bold</b>';
    const contact = await aCaller(context.store, name, said);

    await server.desktop.pops.deliver(anOffer(agent.accountId, contact));

    await page.locator('#customer-name', { hasText: name }).waitFor();
    await page.getByText(said).waitFor();
    expect(await textOf(page, '#customer-name')).toBe(name);
    expect(await page.locator('#card img, #history img').count()).toBe(0);
    expect(await page.locator('#history script, #history b').count()).toBe(0);
    expect(alerts).toEqual([]);
    await page.close();
  });

  it('registers the softphone with the SIP password the agent types', async () => {
    const registrar = await aSipRegistrar('sip.example.com', 'sip-secret-1234');
    const phoned = await startDesktopServer(context.store, {
      withAcd: true,
      withSessions: true,
      sipWsUri: registrar.uri,
      sipDomain: 'sip.example.com',
    });
    try {
      const { page, input, errors } = await aDesktopPage(
        phoned,
        'sip-secret-1234',
      );
      await page.getByText('softphone ready').waitFor();
      await page.getByLabel('SIP password').fill('sip-secret-1234');
      await page.getByRole('button', { name: 'Connect phone' }).click();
      await page.getByText('registered', { exact: true }).waitFor();
      expect(registrar.registered).toContain(input.username);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await phoned.close();
      await registrar.close();
    }
  });
});
