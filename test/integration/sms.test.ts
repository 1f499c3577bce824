import { SmsInbound } from '../../src/channels/sms/inbound';
import { keywordReplies } from '../../src/channels/sms/keywords';
import { inboundSms } from '../../src/channels/sms/inbound-payload';
import { JambonzSmsSender } from '../../src/channels/sms/sender';
import type { ContextCard } from '../../src/context/card';
import { parseInput } from '../../src/context/validate';
import type { TimelineEntry } from '../../src/context/events';
import { bridgelineOnOwnRedis, testAdminToken } from '../support/app';
import { aPhone, anEmail } from '../support/factories';
import { postWebhook, type PostOptions } from '../support/jambonz';
import { JambonzApiStandIn, type ApiRequest } from '../support/jambonz-api';
import { allKeys, silentLogger } from '../support/redis';
import { anInboundSms } from '../support/sms';

const secret = 'jambonz-webhook-secret-for-sms-tests';
const signed: PostOptions = { secret };
const ourNumber = '+16285550100';
const perHour = 3;

let standIn: JambonzApiStandIn;
// Filled in before bridgeline starts: the stand-in's port is known then.
const env: Record<string, string> = {
  JAMBONZ_WEBHOOK_SECRET: secret,
  SMS_FROM_NUMBER: ourNumber,
  SMS_PER_NUMBER_PER_HOUR: String(perHour),
};
beforeAll(async () => {
  standIn = await JambonzApiStandIn.start();
  Object.assign(env, standIn.env);
});
afterAll(() => standIn.close());

const running = bridgelineOnOwnRedis(env);

function receive(body: unknown, options: PostOptions = signed) {
  return postWebhook(running.base, '/jambonz/sms', body, options);
}

async function reply(
  customerId: string,
  conversationId: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(
    `${running.base}/api/customers/${customerId}/conversations/` +
      `${conversationId}/sms`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${testAdminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    },
  );
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  };
}

async function cardOfPhone(phone: string): Promise<ContextCard | undefined> {
  const { store } = running.app;
  return store.cardByIdentity(store.normalizeIdentity('phone', phone));
}

async function knownCard(phone: string): Promise<ContextCard> {
  const card = await cardOfPhone(phone);
  if (!card) {
    throw new Error(`no customer for ${phone}`);
  }
  return card;
}

type SmsEntry = Extract<TimelineEntry, { type: 'sms.message' }>;

function smsEntries(card: ContextCard): SmsEntry[] {
  return card.timeline.filter(
    (entry): entry is SmsEntry => entry.type === 'sms.message',
  );
}

/** The text the stand-in was asked to send to `to`, once it was. */
function textTo(to: string): Promise<ApiRequest> {
  return standIn.next(
    (request) => request.resource === 'Messages' && request.body.to === to,
  );
}

describe('SMS through jambonz', () => {
  describe('when a text arrives on the messaging webhook', () => {
    it('creates a customer with a carrier-verified phone and a conversation', async () => {
      const phone = aPhone();
      const sms = anInboundSms(phone, 'My parcel has not arrived');

      const answer = await receive(sms);

      expect(answer.status).toBe(200);
      const card = await knownCard(phone);
      expect(card.identities).toEqual([
        expect.objectContaining({
          kind: 'phone',
          value: phone,
          verification: 'carrier',
          source: 'sms',
        }),
      ]);
      expect(card.conversations.open).toEqual([
        expect.objectContaining({
          currentChannel: 'sms',
          subject: 'My parcel has not arrived',
        }),
      ]);
      expect(smsEntries(card)).toEqual([
        expect.objectContaining({
          direction: 'inbound',
          text: 'My parcel has not arrived',
          messageSid: sms.message_sid,
          conversationId: card.conversations.open[0]?.id,
        }),
      ]);
    });

    it('adds a second text to the same conversation', async () => {
      const phone = aPhone();
      await receive(anInboundSms(phone, 'First'));
      await receive(anInboundSms(phone, 'Second'));

      const card = await knownCard(phone);
      expect(card.conversations.open).toHaveLength(1);
      const [second, first] = smsEntries(card);
      expect([first?.text, second?.text]).toEqual(['First', 'Second']);
      expect(second?.conversationId).toBe(first?.conversationId);
    });

    it('joins the chat or email conversation the customer had open', async () => {
      const phone = aPhone();
      const { store } = running.app;
      const { customer } = await store.upsertCustomer({
        identities: [
          { kind: 'phone', value: phone, verification: 'carrier' },
          { kind: 'email', value: anEmail() },
        ],
      });
      const email = await store.openConversation(customer.id, {
        subject: 'Refund for order 1234',
        channel: 'email',
      });

      await receive(anInboundSms(phone, 'Any news on my refund?'));

      const card = await knownCard(phone);
      expect(card.customer.id).toBe(customer.id);
      expect(card.conversations.open.map((c) => c.id)).toEqual([email.id]);
      expect(smsEntries(card)[0]?.conversationId).toBe(email.id);
    });

    it('stores a text once when jambonz retries the webhook', async () => {
      const phone = aPhone();
      const sms = anInboundSms(phone, 'Only once please');

      const answers = [await receive(sms), await receive(sms)];

      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      expect(smsEntries(await knownCard(phone))).toHaveLength(1);
    });

    it('asks a retry racing the first delivery to come back, and stores once', async () => {
      const phone = aPhone();
      await receive(anInboundSms(phone, 'Known sender'));
      const sms = anInboundSms(phone, 'Sent twice at once');

      const raced = await Promise.all([receive(sms), receive(sms)]);
      const later = await receive(sms);

      expect(raced.map((a) => a.status).sort()).toEqual(
        expect.arrayContaining([200]),
      );
      for (const answer of raced.filter((a) => a.status !== 200)) {
        expect(answer).toMatchObject({
          status: 503,
          body: { code: 'BL_ERR_SMS_BEING_STORED' },
        });
      }
      expect(later.status).toBe(200);
      const texts = smsEntries(await knownCard(phone)).map((e) => e.text);
      expect(texts).toEqual(['Sent twice at once', 'Known sender']);
    });

    it('accepts a number written without its plus, as carriers send it', async () => {
      const phone = aPhone();
      await receive(anInboundSms(phone.slice(1), 'No plus sign'));

      expect(smsEntries(await knownCard(phone))).toHaveLength(1);
    });

    it('takes `to` and `cc` as one number or several', async () => {
      const phone = aPhone();
      const answer = await receive(
        anInboundSms(phone, 'Group text', {
          to: ['+16285550199', '+16285550198'],
          cc: '+16285550197',
        }),
      );

      expect(answer.status).toBe(200);
      expect(smsEntries(await knownCard(phone))).toHaveLength(1);
    });

    it('tolerates fields a newer jambonz adds', async () => {
      const phone = aPhone();
      const answer = await receive(
        anInboundSms(phone, 'Hello', {
          service_provider_sid: 'sp-1',
          segments: 1,
          carrier: null,
        }),
      );

      expect(answer.status).toBe(200);
      expect(smsEntries(await knownCard(phone))).toHaveLength(1);
    });
  });

  it('leaves no key naming the customer or their number after erasure', async () => {
    const phone = aPhone();
    await receive(anInboundSms(phone, 'HELP'));
    await textTo(phone);
    const card = await waitFor(
      () => knownCard(phone),
      (c) => smsEntries(c).length === 2,
    );

    const erased = await fetch(
      `${running.base}/api/customers/${card.customer.id}`,
      {
        method: 'DELETE',
        headers: { authorization: `Bearer ${testAdminToken}` },
      },
    );

    expect(erased.status).toBe(200);
    const keys = (await allKeys(running.redis.client)).join(' ');
    expect(keys).not.toContain(card.customer.id);
    expect(keys).not.toContain(phone.slice(2));
  });

  describe('when the webhook is not from jambonz or is malformed', () => {
    it('refuses a forged signature and stores nothing', async () => {
      const phone = aPhone();
      const before = await allKeys(running.redis.client);

      const answer = await receive(anInboundSms(phone, 'Forged'), {
        secret: 'not-the-secret',
      });

      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({
        code: 'BL_ERR_WEBHOOK_SIGNATURE',
        field: 'jambonz-signature',
      });
      expect(await cardOfPhone(phone)).toBeUndefined();
      expect(await allKeys(running.redis.client)).toEqual(before);
    });

    it('refuses a missing signature and stores nothing', async () => {
      const phone = aPhone();

      const answer = await receive(anInboundSms(phone, 'Unsigned'), {});

      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ code: 'BL_ERR_WEBHOOK_SIGNATURE' });
      expect(await cardOfPhone(phone)).toBeUndefined();
    });

    it.each([
      ['message_sid', { message_sid: undefined }],
      ['message_sid', { message_sid: 'has {braces}' }],
      ['from', { from: undefined }],
      ['from', { from: 'not a number' }],
      ['to', { to: 42 }],
      ['text', { text: '', media: [] }],
      ['text', { text: ['an', 'array'] }],
      ['cc', { cc: [42] }],
      ['to', { to: [] }],
    ])('answers 400 naming %s for a bad field', async (field, change) => {
      const phone = aPhone();
      const before = await allKeys(running.redis.client);

      const answer = await receive(anInboundSms(phone, 'Hello', change));

      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ field });
      expect(await cardOfPhone(phone)).toBeUndefined();
      expect(await allKeys(running.redis.client)).toEqual(before);
    });

    it('answers 400 for a body that is not JSON', async () => {
      const answer = await receive('{"message_sid": ');

      expect(answer.status).toBe(400);
    });
  });

  describe('when the text is a keyword', () => {
    it('opts the number out on STOP, confirms once and refuses later sends', async () => {
      const phone = aPhone();
      await receive(anInboundSms(phone, '  stop '));

      const confirmation = await textTo(phone);
      expect(confirmation.body).toMatchObject({
        from: ourNumber,
        text: expect.stringContaining('unsubscribed') as unknown,
      });
      const card = await knownCard(phone);
      expect(card.customer.consent.sms).toBe('denied');
      const conversationId = card.conversations.open[0]?.id ?? '';

      const sentBefore = standIn.created('Messages').length;
      const refused = await reply(card.customer.id, conversationId, {
        text: 'Are you still there?',
      });
      const direct = await running.app.channels.sms?.send({
        customerId: card.customer.id,
        conversationId,
        to: phone,
        text: 'An escalation link',
      });

      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'BL_ERR_SMS_OPTED_OUT' });
      expect(direct).toEqual({ status: 'refused', reason: 'opted-out' });
      expect(standIn.created('Messages')).toHaveLength(sentBefore);
    });

    it('confirms a STOP once however often jambonz retries it', async () => {
      const phone = aPhone();
      const stop = anInboundSms(phone, 'STOP');
      await receive(stop);
      await receive(stop);
      await textTo(phone);
      // A later keyword's answer: any second confirmation was sent before it.
      await receive(anInboundSms(phone, 'START'));
      await standIn.next(
        (request) =>
          request.body.to === phone &&
          String(request.body.text).includes('subscribed again'),
      );

      const confirmations = standIn
        .created('Messages')
        .filter(
          (request) =>
            request.body.to === phone &&
            String(request.body.text).includes('unsubscribed'),
        );
      expect(confirmations).toHaveLength(1);
    });

    it('subscribes the number again on START', async () => {
      const phone = aPhone();
      await receive(anInboundSms(phone, 'STOP'));
      await textTo(phone);
      await receive(anInboundSms(phone, 'Unstop'));

      await standIn.next(
        (request) =>
          request.body.to === phone &&
          String(request.body.text).includes('subscribed again'),
      );
      expect((await knownCard(phone)).customer.consent.sms).toBe('granted');
    });

    it('answers HELP with the help text and keeps both on the timeline', async () => {
      const phone = aPhone();
      await receive(anInboundSms(phone, 'Help!'));

      const help = await textTo(phone);
      expect(String(help.body.text)).toContain('STOP to unsubscribe');
      const card = await waitFor(
        () => knownCard(phone),
        (c) => smsEntries(c).length === 2,
      );
      expect(smsEntries(card).map((e) => e.direction)).toEqual([
        'outbound',
        'inbound',
      ]);
      expect(smsEntries(card)[0]?.messageSid).toBe(help.sid);
    });
  });

  describe('when a texter asks for a call back', () => {
    it('answers that call backs are unavailable when there is no callback service', async () => {
      const { store, redis, channels } = running.app;
      const sender = new JambonzSmsSender(
        store,
        channels.costLimits,
        {
          api: { ...apiTarget(), applicationSid: undefined },
          from: ourNumber,
        },
        silentLogger,
      );
      const inbound = new SmsInbound({
        redis,
        store,
        journeys: channels.journeys,
        sender,
        callbacks: () => undefined,
        log: silentLogger,
      });
      const phone = aPhone();

      const outcome = await inbound.receive(
        parseInput(inboundSms, anInboundSms(phone, 'Call me')),
      );

      const answer = await textTo(phone);
      expect(answer.body.text).toBe(keywordReplies.callbackUnavailable);
      await inbound.drain();
      expect(outcome).toMatchObject({ status: 'stored' });
      const card = await knownCard(phone);
      expect(smsEntries(card).map((entry) => entry.text)).toEqual([
        keywordReplies.callbackUnavailable,
        'Call me',
      ]);
    });
  });

  describe('when an agent replies by SMS', () => {
    it('sends from SMS_FROM_NUMBER and records the sid jambonz answered 200 with', async () => {
      const phone = aPhone();
      await receive(anInboundSms(phone, 'Can someone text me?'));
      const card = await knownCard(phone);
      const conversationId = card.conversations.open[0]?.id ?? '';

      const sent = await reply(card.customer.id, conversationId, {
        text: 'Hello from support',
      });

      const request = await textTo(phone);
      expect(request.body).toEqual({
        from: ourNumber,
        to: phone,
        text: 'Hello from support',
      });
      expect(sent).toEqual({
        status: 201,
        body: { status: 'sent', id: request.sid },
      });
      const after = await knownCard(phone);
      expect(smsEntries(after)[0]).toMatchObject({
        direction: 'outbound',
        text: 'Hello from support',
        messageSid: request.sid,
        conversationId,
      });
    });

    it('counts the 201 node-client expects as sent too', async () => {
      const phone = aPhone();
      await receive(anInboundSms(phone, 'Hi'));
      const card = await knownCard(phone);
      standIn.messageStatus = 201;
      try {
        const sent = await reply(
          card.customer.id,
          card.conversations.open[0]?.id ?? '',
          { text: 'Answered with 201' },
        );
        const request = await textTo(phone);
        expect(sent.body).toEqual({ status: 'sent', id: request.sid });
      } finally {
        standIn.messageStatus = 200;
      }
    });

    it('refuses the send after SMS_PER_NUMBER_PER_HOUR within the hour', async () => {
      const phone = aPhone();
      await receive(anInboundSms(phone, 'Hi'));
      const card = await knownCard(phone);
      const conversationId = card.conversations.open[0]?.id ?? '';

      const statuses = [];
      for (let i = 0; i <= perHour; i += 1) {
        const sent = await reply(card.customer.id, conversationId, {
          text: `Reply ${i}`,
        });
        statuses.push(sent.status);
        if (sent.status === 429) {
          expect(sent.body).toMatchObject({ code: 'BL_ERR_SMS_RATE_LIMITED' });
        }
      }

      expect(statuses).toEqual([201, 201, 201, 429]);
      const toPhone = standIn
        .created('Messages')
        .filter((request) => request.body.to === phone);
      expect(toPhone).toHaveLength(perHour);
    });

    it('answers 502 and records nothing when jambonz fails the send', async () => {
      const phone = aPhone();
      await receive(anInboundSms(phone, 'Hi'));
      const card = await knownCard(phone);
      standIn.setIntercept((request) =>
        request.body.to === phone ? 503 : undefined,
      );
      try {
        const sent = await reply(
          card.customer.id,
          card.conversations.open[0]?.id ?? '',
          { text: 'Will not arrive' },
        );
        expect(sent).toMatchObject({
          status: 502,
          body: { code: 'BL_ERR_SMS_SEND_FAILED' },
        });
      } finally {
        standIn.setIntercept(undefined);
      }
      expect(smsEntries(await knownCard(phone))).toHaveLength(1);
    });

    it.each([
      ['text', {}],
      ['text', { text: '   ' }],
      ['text', { text: 'x'.repeat(1601) }],
      ['to', { text: 'hi', to: '+14155550100' }],
    ])('answers 400 naming %s for a bad reply', async (field, body) => {
      const phone = aPhone();
      await receive(anInboundSms(phone, 'Hi'));
      const card = await knownCard(phone);
      const sentBefore = standIn.created('Messages').length;

      const sent = await reply(
        card.customer.id,
        card.conversations.open[0]?.id ?? '',
        body,
      );

      expect(sent.status).toBe(400);
      expect(sent.body).toMatchObject({ field });
      expect(standIn.created('Messages')).toHaveLength(sentBefore);
    });

    it('answers 422 for a customer with no phone number, sending nothing', async () => {
      const { store } = running.app;
      const { customer } = await store.upsertCustomer({
        identities: [{ kind: 'email', value: anEmail() }],
      });
      const conversation = await store.openConversation(customer.id, {
        subject: 'Email only',
        channel: 'email',
      });
      const sentBefore = standIn.created('Messages').length;

      const sent = await reply(customer.id, conversation.id, { text: 'Hi' });

      expect(sent).toMatchObject({
        status: 422,
        body: { code: 'BL_ERR_SMS_NO_ADDRESS' },
      });
      expect(standIn.created('Messages')).toHaveLength(sentBefore);
    });

    it('texts the most trusted of several numbers', async () => {
      const { store } = running.app;
      const claimed = aPhone();
      const carrier = aPhone();
      const { customer } = await store.upsertCustomer({
        identities: [
          { kind: 'phone', value: carrier, verification: 'carrier' },
          { kind: 'phone', value: claimed, verification: 'self_claimed' },
        ],
      });
      const conversation = await store.openConversation(customer.id, {
        subject: 'Two numbers',
        channel: 'chat',
      });

      const sent = await reply(customer.id, conversation.id, { text: 'Hi' });

      expect(sent.status).toBe(201);
      const request = await standIn.next((r) => r.sid === sent.body.id);
      expect(request.body.to).toBe(carrier);
    });

    it('refuses with not-configured, sending nothing, until SMS is set up', async () => {
      const { store, channels } = running.app;
      const phone = aPhone();
      await receive(anInboundSms(phone, 'Hi'));
      const card = await knownCard(phone);
      const sentBefore = standIn.requests.length;
      const sender = new JambonzSmsSender(
        store,
        channels.costLimits,
        { api: { ...apiTarget(), applicationSid: undefined }, from: undefined },
        silentLogger,
      );

      const result = await sender.send({
        customerId: card.customer.id,
        conversationId: card.conversations.open[0]?.id ?? '',
        to: phone,
        text: 'Hello',
      });

      expect(result).toEqual({ status: 'refused', reason: 'not-configured' });
      expect(standIn.requests).toHaveLength(sentBefore);
    });

    it('answers 404 for a conversation the customer does not have', async () => {
      const phone = aPhone();
      await receive(anInboundSms(phone, 'Hi'));
      const card = await knownCard(phone);

      const sent = await reply(card.customer.id, 'vNoSuchConversation', {
        text: 'Hello',
      });

      expect(sent).toMatchObject({
        status: 404,
        body: { code: 'BL_ERR_CONVERSATION_NOT_FOUND' },
      });
    });
  });
});

function apiTarget() {
  return {
    baseUrl: standIn.baseUrl,
    accountSid: standIn.accountSid,
    apiKey: standIn.apiKey,
  };
}

/** Reads until `done` holds, polling; fails after two seconds. */
async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) {
      return value;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}
