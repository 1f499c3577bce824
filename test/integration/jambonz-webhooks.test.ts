import { pino } from 'pino';
import { startBridgeline, type Bridgeline } from '../../src/app';
import { loadConfig } from '../../src/config';
import { bridgelineOnOwnRedis, testAdminToken as token } from '../support/app';
import type { ContextCard } from '../../src/context/card';
import type { TimelineEntry } from '../../src/context/events';
import { signWebhook } from '../../src/voice/signature';
import { aCustomer, aPhone } from '../support/factories';
import {
  aCallBody,
  aCallSid,
  aDialledNumber,
  aFlowWithSubflow,
  aStatusBody,
  aVoiceFlow,
  draftOnlyFlow,
  postWebhook,
  publishFlow,
  spoken,
  validVerbs,
  type PostOptions,
} from '../support/jambonz';
import { allKeys, tempDir } from '../support/redis';

const secret = 'jambonz-webhook-secret-for-tests';
const signed: PostOptions = { secret };
let dialled: string;

const running = bridgelineOnOwnRedis({ JAMBONZ_WEBHOOK_SECRET: secret });

beforeAll(async () => {
  dialled = aDialledNumber();
  await publishFlow(running.redis.client, aVoiceFlow(), dialled);
});

function post(path: string, body: unknown, options: PostOptions = signed) {
  return postWebhook(running.base, path, body, options);
}

/** A call from `from` to the test flow's number, signed. */
async function call(
  from: string,
  sipHeaders: Record<string, string> = {},
  to = dialled,
) {
  const body = aCallBody({ from, to }, sipHeaders);
  const reply = await post('/jambonz/call', body);
  return { ...reply, callSid: String(body.call_sid) };
}

async function cardOf(customerId: string): Promise<ContextCard> {
  const response = await fetch(
    `${running.base}/api/context?customerId=${customerId}`,
    {
      headers: { authorization: `Bearer ${token}` },
    },
  );
  expect(response.status).toBe(200);
  return (await response.json()) as ContextCard;
}

function eventsOf(card: ContextCard, callSid: string): TimelineEntry[] {
  return card.timeline
    .filter((entry) => 'callSid' in entry && entry.callSid === callSid)
    .reverse();
}

describe('the jambonz webhooks', () => {
  describe('when a webhook is not signed as jambonz signs it', () => {
    it('refuses an unsigned call with 401 and records nothing', async () => {
      const { customer, phone } = await aCustomer(running.app.store);
      const reply = await post('/jambonz/call', aCallBody({ from: phone }), {});
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({
        code: 'BL_ERR_WEBHOOK_SIGNATURE',
        field: 'jambonz-signature',
      });
      const card = await cardOf(customer.id);
      expect(card.conversations.open).toEqual([]);
      expect(card.timeline).toEqual([]);
    });

    it('refuses a signature made with another secret', async () => {
      const reply = await post('/jambonz/call', aCallBody(), {
        secret: 'someone-elses-secret',
      });
      expect(reply.status).toBe(401);
    });

    it('refuses a body that was changed after it was signed', async () => {
      const body = aCallBody();
      const reply = await postWebhook(
        running.base,
        '/jambonz/call',
        JSON.stringify(body, null, 2),
        {
          headers: {
            'jambonz-signature': signWebhook(secret, JSON.stringify(body)),
          },
        },
      );
      expect(reply.status).toBe(401);
    });

    it('refuses a signature older than five minutes or from the future', async () => {
      const now = Math.floor(Date.now() / 1000);
      const stale = await post('/jambonz/call', aCallBody(), {
        secret,
        timestamp: now - 600,
      });
      const future = await post('/jambonz/call', aCallBody(), {
        secret,
        timestamp: now + 600,
      });
      expect([stale.status, future.status]).toEqual([401, 401]);
    });

    it('refuses unsigned action hooks and status reports too', async () => {
      const sid = aCallSid();
      const action = await post(
        '/jambonz/action/main-menu',
        { call_sid: sid, digits: '1' },
        {},
      );
      const status = await post(
        '/jambonz/status',
        aStatusBody(sid, 'completed'),
        {},
      );
      expect([action.status, status.status]).toEqual([401, 401]);
    });
  });

  describe('when a body is malformed', () => {
    it.each([
      {
        path: '/jambonz/call',
        body: aCallBody({ call_sid: undefined }),
        field: 'call_sid',
      },
      {
        path: '/jambonz/call',
        body: aCallBody({ call_sid: 'a{b}' }),
        field: 'call_sid',
      },
      {
        path: '/jambonz/call',
        body: aCallBody({ direction: 'sideways' }),
        field: 'direction',
      },
      {
        path: '/jambonz/call',
        body: aCallBody({ sip: { headers: 'To: x' } }),
        field: 'sip.headers',
      },
      {
        path: '/jambonz/status',
        body: aStatusBody(aCallSid(), 'exploded'),
        field: 'call_status',
      },
      {
        path: '/jambonz/action/main-menu',
        body: { digits: '1' },
        field: 'call_sid',
      },
    ])(
      'answers $path with 400 naming $field',
      async ({ path, body, field }) => {
        const reply = await post(path, body);
        expect(reply.status).toBe(400);
        expect(reply.body).toMatchObject({
          code: 'BL_ERR_INVALID_INPUT',
          field,
        });
      },
    );

    it('answers a body that is not JSON with 400', async () => {
      const reply = await post('/jambonz/call', '{"call_sid": ');
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ field: '(body)' });
    });

    it('accepts fields it does not know', async () => {
      const reply = await post(
        '/jambonz/call',
        aCallBody({ from: aPhone(), to: dialled, fs_public_ip: '3.1.4.1' }),
      );
      expect(reply.status).toBe(200);
    });
  });

  describe('when a known caller calls', () => {
    it('greets them by name with verbs jambonz accepts and opens a phone conversation', async () => {
      const { customer, phone } = await aCustomer(running.app.store);
      const reply = await call(phone);

      expect(reply.status).toBe(200);
      const verbs = validVerbs(reply.body);
      expect(spoken(verbs)[0]).toBe('Hello Ada.');
      expect(verbs.at(-1)).toMatchObject({
        verb: 'gather',
        actionHook: '/jambonz/action/main-menu',
      });

      const card = await cardOf(customer.id);
      expect(card.conversations.open).toEqual([
        expect.objectContaining({
          subject: 'Phone call',
          currentChannel: 'voice',
        }),
      ]);
      const conversationId = card.conversations.open[0]?.id;
      expect(eventsOf(card, reply.callSid)).toEqual([
        expect.objectContaining({
          type: 'call.started',
          direction: 'inbound',
          conversationId,
        }),
        expect.objectContaining({ type: 'ivr.step', node: 'greet' }),
        expect.objectContaining({ type: 'ivr.step', node: 'main-menu' }),
      ]);
    });

    it('continues a phone conversation from the last hour instead of opening another', async () => {
      const { customer, phone } = await aCustomer(running.app.store);
      const earlier = await running.app.store.openConversation(customer.id, {
        subject: 'Card declined',
        channel: 'voice',
      });
      const reply = await call(phone);

      const card = await cardOf(customer.id);
      expect(card.conversations.open.map((c) => c.id)).toEqual([earlier.id]);
      expect(eventsOf(card, reply.callSid)[0]).toMatchObject({
        type: 'call.started',
        conversationId: earlier.id,
      });
    });

    it('continues the conversation the SIP edge names, moving it to the phone', async () => {
      const { customer, phone } = await aCustomer(running.app.store);
      const chat = await running.app.store.openConversation(customer.id, {
        subject: 'Refund',
        channel: 'chat',
      });
      const reply = await call(phone, {
        'X-Bridgeline-Conversation': chat.id,
      });

      const card = await cardOf(customer.id);
      expect(card.conversations.open).toEqual([
        expect.objectContaining({ id: chat.id, currentChannel: 'voice' }),
      ]);
      expect(eventsOf(card, reply.callSid)[0]).toMatchObject({
        conversationId: chat.id,
      });
    });

    it('knows a caller with a withheld number by the SIP edge’s customer header', async () => {
      const { customer } = await aCustomer(running.app.store, {
        name: 'Grace Hopper',
      });
      const reply = await call('anonymous', {
        'X-Bridgeline-Customer': customer.id,
      });

      expect(spoken(validVerbs(reply.body))[0]).toBe('Hello Grace.');
      const card = await cardOf(customer.id);
      expect(eventsOf(card, reply.callSid)[0]).toMatchObject({
        type: 'call.started',
      });
    });
  });

  describe('when an unknown caller calls', () => {
    it.each([
      ['an unknown number', aPhone()],
      ['a withheld number', 'anonymous'],
    ])(
      'answers %s with the flow and creates no customer',
      async (_case, from) => {
        const before = await allKeys(running.redis.client);
        const reply = await call(from);

        expect(spoken(validVerbs(reply.body))[0]).toBe('Hello there.');
        const added = (await allKeys(running.redis.client)).filter(
          (key) => !before.includes(key),
        );
        expect(added).toEqual([expect.stringContaining(reply.callSid)]);
      },
    );
  });

  describe('when jambonz reports what the caller did', () => {
    it('follows the menu choice and records the step with its input', async () => {
      const { customer, phone } = await aCustomer(running.app.store);
      const { callSid } = await call(phone);
      const reply = await post('/jambonz/action/main-menu', {
        call_sid: callSid,
        digits: '2',
        reason: 'dtmfDetected',
      });

      const verbs = validVerbs(reply.body);
      expect(spoken(verbs)).toEqual(['Goodbye.']);
      expect(verbs.at(-1)).toEqual({ verb: 'hangup' });
      const steps = eventsOf(await cardOf(customer.id), callSid).filter(
        (event) => event.type === 'ivr.step' && event.node !== 'greet',
      );
      expect(steps).toEqual([
        expect.objectContaining({ node: 'main-menu' }),
        expect.objectContaining({ node: 'main-menu', input: '2' }),
        expect.objectContaining({ node: 'goodbye' }),
      ]);
    });

    it('apologises and hangs up, with 200, for a call it does not know', async () => {
      const reply = await post('/jambonz/action/main-menu', {
        call_sid: aCallSid(),
        digits: '1',
      });

      expect(reply.status).toBe(200);
      const verbs = validVerbs(reply.body);
      expect(spoken(verbs)[0]).toMatch(/sorry/i);
      expect(verbs.at(-1)).toEqual({ verb: 'hangup' });
    });
  });

  describe('when a flow calls a subflow', () => {
    it('runs the subflow’s live version and returns to the calling flow', async () => {
      const { outer, inner } = aFlowWithSubflow();
      const number = aDialledNumber();
      await publishFlow(running.redis.client, inner, aDialledNumber());
      await publishFlow(running.redis.client, outer, number);

      const { callSid, body } = await call(aPhone(), {}, number);
      expect(spoken(validVerbs(body))).toEqual([
        'Press 1 to confirm your account.',
      ]);
      const reply = await post('/jambonz/action/ask', {
        call_sid: callSid,
        digits: '1',
      });
      expect(spoken(validVerbs(reply.body))).toEqual(['Checked. Goodbye.']);
    });
  });

  describe('when no flow is live for the dialled number', () => {
    it('apologises and hangs up', async () => {
      const number = aDialledNumber();
      await draftOnlyFlow(running.redis.client, aVoiceFlow(), number);
      const reply = await call(aPhone(), {}, number);

      const verbs = validVerbs(reply.body);
      expect(spoken(verbs)[0]).toMatch(/sorry/i);
      expect(verbs.at(-1)).toEqual({ verb: 'hangup' });
    });
  });

  describe('when the call ends', () => {
    it('writes call.ended and forgets the call', async () => {
      const { customer, phone } = await aCustomer(running.app.store);
      const { callSid } = await call(phone);
      await post('/jambonz/action/main-menu', {
        call_sid: callSid,
        digits: '2',
      });

      const ringing = await post(
        '/jambonz/status',
        aStatusBody(callSid, 'in-progress'),
      );
      const done = await post(
        '/jambonz/status',
        aStatusBody(callSid, 'completed', { duration: 42 }),
      );
      expect([ringing.status, done.status]).toEqual([200, 200]);
      expect(done.body).toEqual({});

      const events = eventsOf(await cardOf(customer.id), callSid);
      expect(events.at(-1)).toMatchObject({
        type: 'call.ended',
        durationSeconds: 42,
        outcome: 'completed',
        conversationId: events[0]?.conversationId,
      });
      const late = await post('/jambonz/action/main-menu', {
        call_sid: callSid,
        digits: '1',
      });
      expect(spoken(validVerbs(late.body))[0]).toMatch(/sorry/i);
    });

    it('marks a call the caller left in the middle of the menu as abandoned, once', async () => {
      const { customer, phone } = await aCustomer(running.app.store);
      const { callSid } = await call(phone);
      const status = aStatusBody(callSid, 'completed', { duration: 7 });
      await post('/jambonz/status', status);
      await post('/jambonz/status', status);

      const ended = eventsOf(await cardOf(customer.id), callSid).filter(
        (event) => event.type === 'call.ended',
      );
      expect(ended).toEqual([
        expect.objectContaining({ outcome: 'abandoned', durationSeconds: 7 }),
      ]);
    });

    it('answers 200 for a call it does not know and writes nothing', async () => {
      const before = await allKeys(running.redis.client);
      const reply = await post(
        '/jambonz/status',
        aStatusBody(aCallSid(), 'completed', { duration: 3 }),
      );
      expect(reply).toEqual({ status: 200, body: {} });
      expect(await allKeys(running.redis.client)).toEqual(before);
    });
  });
});

describe('the jambonz webhooks without a secret', () => {
  const lines: string[] = [];
  let unsigned: Bridgeline;

  beforeAll(async () => {
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => lines.push(line) },
    );
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: '0',
      REDIS_URL: running.redis.server.url,
      ADMIN_TOKEN: token,
      DATA_DIR: await tempDir('unsigned'),
    });
    unsigned = await startBridgeline(config, logger);
  });

  afterAll(() => unsigned.close());

  it('accepts unsigned webhooks and warns about it once, at start', async () => {
    const warnings = lines.filter((line) =>
      line.includes('JAMBONZ_WEBHOOK_SECRET is not set'),
    );
    expect(warnings).toHaveLength(1);

    const reply = await postWebhook(
      `http://127.0.0.1:${unsigned.port}`,
      '/jambonz/call',
      aCallBody({ from: aPhone(), to: dialled }),
    );
    expect(reply.status).toBe(200);
    expect(spoken(validVerbs(reply.body))[0]).toBe('Hello there.');
  });
});
