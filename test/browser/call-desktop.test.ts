import type { BrowserContext } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web';
import { bridgelineOnOwnRedis } from '../support/app';
import { anAccountInput, call } from '../support/accounts';
import { launchChromium } from '../support/browser';
import { until } from '../support/callbacks';
import { aPhone } from '../support/factories';
import {
  aCallBody,
  postWebhook,
  spoken,
  validVerbs,
  type Verb,
} from '../support/jambonz';

/**
 * A call on the agent desktop, in Debian's chromium on the whole app: a
 * customer who chatted this morning calls; the shipped main flow asks
 * whether it is about that chat, they press 1, and the call is routed to
 * the chat team's agent. The agent's desktop shows who is calling, what
 * they wrote and the IVR path they took, and jambonz is told to dial the
 * agent's softphone.
 */

const secret = 'jambonz-webhook-secret-for-desktop-calls';
// Wednesday 2 December 2026, noon in New York: the line is open.
const wednesday = new Date('2026-12-02T12:00:00-05:00');
const clock = { now: wednesday };

const opened: { browser?: BrowserContext } = {};
// Declared before bridgeline's own afterAll, so it runs first.
afterAll(async () => {
  await opened.browser?.close();
});
const running = bridgelineOnOwnRedis(
  { JAMBONZ_WEBHOOK_SECRET: secret, SIP_DOMAIN: 'sip.example.com' },
  { now: () => clock.now },
);

beforeAll(async () => {
  // The desktop loads JsSIP from the bundle the build writes.
  await buildWeb();
  opened.browser = await launchChromium();
});

async function press(callSid: string, node: string, digits: string) {
  const reply = await postWebhook(
    running.base,
    `/jambonz/action/${node}`,
    { call_sid: callSid, digits, reason: 'dtmfDetected' },
    { secret },
  );
  return validVerbs(reply.body);
}

function dialled(verbs: Verb[]): string | undefined {
  const dial = verbs.find((verb) => verb.verb === 'dial');
  const [target] = (dial?.target ?? []) as { sipUri?: string }[];
  return target?.sipUri;
}

describe('a call on the agent desktop', () => {
  it('pops the caller with their chat and IVR path, and dials the agent', async () => {
    const { base } = running;
    expect(
      (await call(base, 'PUT', '/api/admin/queues/chat', { name: 'Chat' }))
        .status,
    ).toBe(200);
    const input = anAccountInput({
      displayName: 'Grace Hopper',
      queues: ['chat'],
      skills: [],
    });
    const account = await call(base, 'POST', '/api/admin/accounts', input);
    expect(account.status).toBe(201);
    const phone = aPhone();
    const made = await call(base, 'POST', '/api/customers', {
      name: 'Ada Lovelace',
      identities: [{ kind: 'phone', value: phone, verification: 'carrier' }],
    });
    const customerId = String(made.body.id);
    clock.now = new Date(wednesday.getTime() - 3 * 60 * 60 * 1000);
    const chat = await call(
      base,
      'POST',
      `/api/customers/${customerId}/conversations`,
      { subject: 'the router that keeps rebooting', channel: 'chat' },
    );
    await call(base, 'POST', `/api/customers/${customerId}/events`, {
      type: 'chat.message',
      direction: 'inbound',
      text: 'My router reboots every hour',
      conversationId: chat.body.id,
    });
    clock.now = wednesday;

    const errors: string[] = [];
    const page = await (opened.browser as BrowserContext).newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${base}/desktop`);
    await page.getByLabel('Username').fill(input.username);
    await page.getByLabel('Password', { exact: true }).fill(input.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Connected', { exact: true }).waitFor();
    await page.getByLabel('State').selectOption('available');
    const agentId = String(account.body.id);
    await until(
      async () =>
        (await running.app.agents.acd.agent(agentId)).state === 'available',
    );

    const body = aCallBody({ from: phone, to: '+16285550000' });
    const callSid = String(body.call_sid);
    const first = await postWebhook(base, '/jambonz/call', body, { secret });
    expect(spoken(validVerbs(first.body))[1]).toContain(
      'Are you calling about the router that keeps rebooting?',
    );
    const routed = await press(callSid, 'about-recent', '1');

    expect(dialled(routed)).toBe(`sip:${input.username}@sip.example.com`);
    await page.locator('#customer-name', { hasText: 'Ada Lovelace' }).waitFor();
    await page.getByText('My router reboots every hour').waitFor();
    const path = (await page.locator('#ivr-path').textContent()) ?? '';
    expect(path).toContain('about-recent');
    expect(path).toContain('chat-team');
    expect(errors).toEqual([]);
    await page.close();
  });
});
