import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web';
import { bridgelineOnOwnRedis } from '../support/app';
import { anAccountInput, call } from '../support/accounts';
import { until } from '../support/callbacks';
import { aPhone } from '../support/factories';
import { JambonzApiStandIn } from '../support/jambonz-api';
import { launchChromium } from '../support/browser';

/**
 * A chat routed to an agent, in Debian's chromium on the whole app: an
 * admin-made agent signs in at /desktop and becomes available; a customer
 * who called yesterday writes in the chat page from the link they were
 * given; the agent's desktop pops the chat with yesterday's call on the
 * timeline, the agent accepts, reads the visitor live, replies from the
 * composer (the visitor's page shows it) and books a callback. With
 * BRIDGELINE_SCREENSHOTS=1 the run also writes docs/desktop.png.
 */

const screenshots = process.env.BRIDGELINE_SCREENSHOTS === '1';
const docs = path.join(__dirname, '..', '..', 'docs');
const dayMs = 24 * 60 * 60 * 1000;

const opened: { browser?: BrowserContext; jambonz?: JambonzApiStandIn } = {};
// Filled in before bridgeline starts: callbacks dial through the stand-in.
const env: Record<string, string> = { SMS_FROM_NUMBER: '+16285550100' };
beforeAll(async () => {
  opened.jambonz = await JambonzApiStandIn.start();
  Object.assign(env, opened.jambonz.env);
});
// Declared before bridgeline's own afterAll, so it runs first.
afterAll(async () => {
  await opened.browser?.close();
  await opened.jambonz?.close();
});
const running = bridgelineOnOwnRedis(env);

beforeAll(async () => {
  // The desktop loads JsSIP from the bundle the build writes.
  await buildWeb();
  opened.browser = await launchChromium({ width: 1360, height: 1100 });
});

function browser(): BrowserContext {
  if (!opened.browser) {
    throw new Error('chromium did not start');
  }
  return opened.browser;
}

/** Made through the API: the customer, their call yesterday, a link. */
async function aCallerFromYesterday(name: string) {
  const base = running.base;
  const made = await call(base, 'POST', '/api/customers', {
    name,
    identities: [{ kind: 'phone', value: aPhone(), verification: 'carrier' }],
  });
  expect(made.status).toBe(201);
  const customerId = String(made.body.id);
  const opened = await call(
    base,
    'POST',
    `/api/customers/${customerId}/conversations`,
    { subject: 'Damaged parcel', channel: 'voice' },
  );
  expect(opened.status).toBe(201);
  const conversationId = String(opened.body.id);
  const yesterday = Date.now() - dayMs;
  const callSid = `CA${yesterday}`;
  for (const [offset, event] of [
    { type: 'call.started', direction: 'inbound', callSid },
    { type: 'ivr.step', callSid, node: 'main-menu', input: '3' },
  ].entries()) {
    const at = new Date(yesterday + offset * 1000).toISOString();
    const added = await call(
      base,
      'POST',
      `/api/customers/${customerId}/events`,
      {
        ...event,
        at,
        conversationId,
      },
    );
    expect(added.status).toBe(201);
  }
  // The "carry on in chat" link the customer was sent after the call.
  const link = running.app.channels.links.issue({ customerId, conversationId });
  return { customerId, conversationId, link };
}

async function aPage(errors: string[]): Promise<Page> {
  const page = await browser().newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (err) => errors.push(err.message));
  return page;
}

describe('a chat on the agent desktop', () => {
  it('pops a caller from yesterday, replies live and books a callback', async () => {
    const base = running.base;
    const acd = running.app.agents.acd;
    const queue = await call(base, 'PUT', '/api/admin/queues/chat', {
      name: 'Chat',
    });
    expect(queue.status).toBe(200);
    const input = anAccountInput({
      displayName: 'Grace Hopper',
      queues: ['chat'],
      skills: [],
    });
    const account = await call(base, 'POST', '/api/admin/accounts', input);
    expect(account.status).toBe(201);
    const agentId = String(account.body.id);

    const errors: string[] = [];
    const desk = await aPage(errors);
    await desk.goto(`${base}/desktop`);
    await desk.getByLabel('Username').fill(input.username);
    await desk.getByLabel('Password', { exact: true }).fill(input.password);
    await desk.getByRole('button', { name: 'Sign in' }).click();
    await desk.getByText('Connected', { exact: true }).waitFor();
    await desk.getByLabel('State').selectOption('available');
    await until(async () => (await acd.agent(agentId)).state === 'available');

    const caller = await aCallerFromYesterday('Ada Lovelace');
    const chat = await aPage(errors);
    await chat.goto(`${base}/chat?link=${encodeURIComponent(caller.link)}`);
    await chat.getByText('Connected').waitFor();
    await chat.getByLabel('Message').fill('The parcel I called about is here');
    await chat.getByRole('button', { name: 'Send' }).click();

    // The pop: the customer, yesterday's call and its IVR path, the chat.
    await desk.locator('#customer-name', { hasText: 'Ada Lovelace' }).waitFor();
    await desk
      .locator('#offer-kind', { hasText: 'chat, queue chat' })
      .waitFor();
    await desk
      .locator('#timeline', { hasText: 'The parcel I called about is here' })
      .waitFor();
    const callRow = desk.locator('#timeline tr', { hasText: 'call started' });
    await callRow.waitFor();
    const when = new Date(Date.now() - dayMs).toLocaleDateString();
    expect(await callRow.textContent()).toContain(when);
    expect(await desk.locator('#ivr-path').textContent()).toBe('main-menu: 3');
    expect(await desk.locator('#reply-channel').textContent()).toBe('chat');

    await desk.getByRole('button', { name: 'Accept' }).click();
    await until(
      async () =>
        (
          await running.app.store.cardById(caller.customerId)
        )?.conversations.open.find((c) => c.id === caller.conversationId)
          ?.agentId === agentId,
    );
    await desk.getByText('Accepted: you have this contact').waitFor();

    // The visitor writes again; the desktop shows it as it comes.
    await until(async () => {
      await chat.getByLabel('Message').fill('It is broken, sadly');
      await chat.getByRole('button', { name: 'Send' }).click();
      return (
        (await desk
          .locator('#timeline tr', { hasText: 'It is broken, sadly' })
          .count()) > 0
      );
    });

    await desk
      .getByRole('textbox', { name: 'Reply', exact: true })
      .fill('Sorry! A new one is on its way');
    await desk.getByRole('button', { name: 'Send', exact: true }).click();
    await chat.getByText('Sorry! A new one is on its way').waitFor();
    await desk.getByText('Reply: done').waitFor();
    await desk
      .locator('#timeline tr', { hasText: 'Sorry! A new one is on its way' })
      .waitFor();

    await desk.getByRole('button', { name: 'Schedule callback' }).click();
    const booked = desk.locator('#compose-status', {
      hasText: /^Callback: [a-z]/,
    });
    await booked.waitFor();
    expect(await booked.textContent()).toBe('Callback: scheduled');
    await until(async () => {
      const card = await running.app.store.cardById(caller.customerId);
      return (card?.timeline ?? []).some((entry) => entry.type === 'callback');
    });
    if (screenshots) {
      await desk.screenshot({ path: path.join(docs, 'desktop.png') });
    }

    await desk
      .getByLabel('Wrap-up note')
      .fill('Replacement sent; call back booked');
    await desk.getByRole('button', { name: 'Finish' }).click();
    await until(async () => (await acd.agent(agentId)).contacts.length === 0);
    const card = await running.app.store.cardById(caller.customerId);
    expect(card?.timeline).toContainEqual(
      expect.objectContaining({
        type: 'agent.note',
        agentId,
        conversationId: caller.conversationId,
      }),
    );
    await desk.getByLabel('State').selectOption('away');
    await until(async () => (await acd.agent(agentId)).state === 'away');
    expect(errors).toEqual([]);
    await chat.close();
    await desk.close();
  });

  it('shows a supervisor the queue statistics while a chat waits', async () => {
    const base = running.base;
    const input = anAccountInput({
      displayName: 'Margaret Hamilton',
      role: 'supervisor',
      queues: [],
      skills: [],
    });
    const account = await call(base, 'POST', '/api/admin/accounts', input);
    expect(account.status).toBe(201);
    await browser().clearCookies();
    const errors: string[] = [];
    const desk = await aPage(errors);
    await desk.goto(`${base}/desktop`);
    await desk.getByLabel('Username').fill(input.username);
    await desk.getByLabel('Password', { exact: true }).fill(input.password);
    await desk.getByRole('button', { name: 'Sign in' }).click();
    await desk.getByText('Connected', { exact: true }).waitFor();

    // No agent is available now: the chat waits, and the table says so.
    const chat = await aPage(errors);
    await chat.goto(`${base}/chat`);
    await chat.getByText('Connected').waitFor();
    await chat.getByLabel('Message').fill('Is anyone there?');
    await chat.getByRole('button', { name: 'Send' }).click();
    const row = desk.locator('#queue-stats tr[data-queue="chat"]');
    await row.waitFor();
    await until(
      async () =>
        (await row.locator('td').nth(1).textContent()) === '1' &&
        (await row.locator('td').first().textContent()) === 'Chat',
    );
    expect(errors).toEqual([]);
    await chat.close();
    await desk.close();
  });
});
