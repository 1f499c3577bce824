import fs from 'node:fs/promises';
import path from 'node:path';
import type { ContextCard } from '../../src/context/card';
import type { TimelineEntry } from '../../src/context/events';
import { bridgelineOnOwnRedis, testAdminToken } from '../support/app';
import { aCustomer, anEmail } from '../support/factories';
import { aMail, deliver, type RawMail } from '../support/email';
import { allKeys, tempDir } from '../support/redis';

const env: Record<string, string> = {
  SMTP_PORT: '0',
  SMTP_HOST: '127.0.0.1',
  EMAIL_FROM: 'help@shop.example.com',
  EMAIL_REPLY_DOMAIN: 'reply.shop.example.com',
};
let outbox: string;
beforeAll(async () => {
  env.DATA_DIR = await tempDir('email');
  outbox = path.join(env.DATA_DIR, 'outbox');
});

const running = bridgelineOnOwnRedis(env);

function smtpPort(): number {
  const port = running.app.channels.smtpPort();
  if (port === undefined) {
    throw new Error('the SMTP listener is not listening');
  }
  return port;
}

function send(mail: RawMail) {
  return deliver(smtpPort(), mail);
}

async function cardOfEmail(email: string): Promise<ContextCard | undefined> {
  const { store } = running.app;
  return store.cardByIdentity(store.normalizeIdentity('email', email));
}

async function knownCard(email: string): Promise<ContextCard> {
  const card = await cardOfEmail(email);
  if (!card) {
    throw new Error(`no customer for ${email}`);
  }
  return card;
}

type EmailEntry = Extract<TimelineEntry, { type: 'email.message' }>;

function emailEntries(card: ContextCard): EmailEntry[] {
  return card.timeline.filter(
    (entry): entry is EmailEntry => entry.type === 'email.message',
  );
}

async function reply(
  customerId: string,
  conversationId: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(
    `${running.base}/api/customers/${customerId}/conversations/` +
      `${conversationId}/email`,
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

/** The .eml the outbox holds for a Message-ID we sent. */
async function outboxMessage(messageId: string): Promise<string> {
  const names = await fs.readdir(outbox);
  for (const name of names) {
    const text = await fs.readFile(path.join(outbox, name), 'utf8');
    if (text.includes(`Message-ID: ${messageId}`)) {
      return text;
    }
  }
  throw new Error(`no outbox message ${messageId}`);
}

function header(message: string, name: string): string | undefined {
  const match = new RegExp(`^${name}: (.*)$`, 'im').exec(message);
  return match?.[1]?.trim();
}

/** A customer who wrote in, and the agent's reply that went out. */
async function aThreadWithReply(subject: string) {
  const from = anEmail();
  await send(aMail({ from, subject }));
  const card = await knownCard(from);
  const conversationId = card.conversations.open[0]?.id ?? '';
  const answer = await reply(card.customer.id, conversationId, {
    text: 'We are looking into it.',
  });
  const sentId = String(answer.body.id);
  return {
    from,
    customerId: card.customer.id,
    conversationId,
    sentId,
    sent: await outboxMessage(sentId),
  };
}

describe('email', () => {
  describe('when a message arrives over SMTP', () => {
    it('creates a customer with a self-claimed address and a conversation', async () => {
      const from = anEmail();
      const mail = aMail({
        from,
        subject: 'Parcel 1234 is late',
        text: 'It was due on Monday.',
      });

      const delivery = await send(mail);

      expect(delivery.status).toBe('accepted');
      const card = await knownCard(from);
      expect(card.identities).toEqual([
        expect.objectContaining({
          kind: 'email',
          value: from,
          verification: 'self_claimed',
          verified: false,
          source: 'email',
        }),
      ]);
      expect(card.conversations.open).toEqual([
        expect.objectContaining({
          currentChannel: 'email',
          subject: 'Parcel 1234 is late',
        }),
      ]);
      expect(emailEntries(card)).toEqual([
        expect.objectContaining({
          direction: 'inbound',
          subject: 'Parcel 1234 is late',
          text: 'It was due on Monday.',
          messageId: mail.messageId,
          conversationId: card.conversations.open[0]?.id,
        }),
      ]);
    });

    it('stores a message once when the sender delivers it again', async () => {
      const from = anEmail();
      const mail = aMail({ from });

      const deliveries = [await send(mail), await send(mail)];

      expect(deliveries.map((d) => d.status)).toEqual(['accepted', 'accepted']);
      expect(emailEntries(await knownCard(from))).toHaveLength(1);
    });

    it('keeps the link of an address already known to a customer', async () => {
      const { store } = running.app;
      const from = anEmail();
      const { customer } = await store.upsertCustomer({
        name: 'Grace Hopper',
        identities: [{ kind: 'email', value: from, verification: 'otp' }],
      });

      await send(aMail({ from }));

      const card = await knownCard(from);
      expect(card.customer.id).toBe(customer.id);
      expect(card.identities).toEqual([
        expect.objectContaining({ verification: 'otp', verified: true }),
      ]);
    });

    it('continues the conversation a customer started by SMS', async () => {
      const { store } = running.app;
      const { customer, email } = await aCustomer(store);
      const sms = await store.openConversation(customer.id, {
        subject: 'Refund for order 77',
        channel: 'sms',
      });

      await send(aMail({ from: email, subject: 'About my refund' }));

      const card = await knownCard(email);
      expect(card.customer.id).toBe(customer.id);
      expect(card.conversations.open.map((c) => c.id)).toEqual([sms.id]);
      expect(emailEntries(card)[0]?.conversationId).toBe(sms.id);
    });

    it('decodes latin-1 bodies and ISO-2022-JP subjects', async () => {
      const from = anEmail();
      const head = [
        `From: <${from}>`,
        'To: support@bridgeline.localhost',
        // "こんにちは" in ISO-2022-JP, as an RFC 2047 encoded word.
        'Subject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: 8bit',
        '',
      ].join('\r\n');
      const raw = Buffer.concat([
        Buffer.from(`${head}\r\n`, 'latin1'),
        Buffer.from("Un caf\xe9 cr\xe8me, s'il vous pla\xeet\r\n", 'latin1'),
      ]);

      const delivery = await send({ from, to: 'support@x.example', raw });

      expect(delivery.status).toBe('accepted');
      const [entry] = emailEntries(await knownCard(from));
      expect(entry?.subject).toBe('こんにちは');
      expect(entry?.text).toContain('Un café crème');
    });

    it('stores a message whose charset is unknown rather than failing', async () => {
      const from = anEmail();
      const raw = aMail({ from, text: 'plain words' })
        .raw.toString()
        .replace('charset=utf-8', 'charset=x-no-such-charset');

      const delivery = await send({ from, to: 'support@x.example', raw });

      expect(delivery.status).toBe('accepted');
      const [entry] = emailEntries(await knownCard(from));
      expect(entry?.text).toContain('plain words');
    });
  });

  describe('when a customer replies', () => {
    it('threads a reply sent to the reply address into its conversation', async () => {
      const thread = await aThreadWithReply('Broken kettle');
      const later = await running.app.store.openConversation(
        thread.customerId,
        { subject: 'Something else', channel: 'email' },
      );
      const replyTo = header(thread.sent, 'Reply-To') ?? '';

      await send(
        aMail({ from: thread.from, to: replyTo, subject: 'New subject' }),
      );

      const card = await knownCard(thread.from);
      const [latest] = emailEntries(card);
      expect(latest?.subject).toBe('New subject');
      expect(latest?.conversationId).toBe(thread.conversationId);
      expect(latest?.conversationId).not.toBe(later.id);
    });

    it('threads a reply by In-Reply-To alone', async () => {
      const thread = await aThreadWithReply('Wrong size');
      const later = await running.app.store.openConversation(
        thread.customerId,
        { subject: 'Something else', channel: 'email' },
      );

      await send(
        aMail({
          from: thread.from,
          subject: 'Re: Wrong size',
          headers: { 'In-Reply-To': thread.sentId },
        }),
      );

      const [latest] = emailEntries(await knownCard(thread.from));
      expect(latest?.conversationId).toBe(thread.conversationId);
      expect(latest?.conversationId).not.toBe(later.id);
    });

    it('ignores a reply address of another customer', async () => {
      const thread = await aThreadWithReply('Not yours');
      const replyTo = header(thread.sent, 'Reply-To') ?? '';
      const stranger = anEmail();

      await send(aMail({ from: stranger, to: replyTo }));

      const card = await knownCard(stranger);
      expect(card.customer.id).not.toBe(thread.customerId);
      expect(emailEntries(card)[0]?.conversationId).not.toBe(
        thread.conversationId,
      );
    });
  });

  describe('when an agent replies by email', () => {
    it('writes the message to the outbox with its reply and thread headers', async () => {
      const from = anEmail();
      const first = aMail({ from, subject: 'Invoice question' });
      await send(first);
      const card = await knownCard(from);
      const conversationId = card.conversations.open[0]?.id ?? '';

      const answer = await reply(card.customer.id, conversationId, {
        text: 'Your invoice is attached to your account.',
      });

      expect(answer).toMatchObject({ status: 201, body: { status: 'sent' } });
      const sent = await outboxMessage(String(answer.body.id));
      expect(header(sent, 'From')).toBe('help@shop.example.com');
      expect(header(sent, 'To')).toBe(from);
      expect(header(sent, 'Subject')).toBe('Re: Invoice question');
      expect(header(sent, 'Reply-To')).toMatch(
        new RegExp(
          `^reply\\+${card.customer.id}\\.[A-Za-z0-9_-]{16}` +
            '@reply\\.shop\\.example\\.com$',
        ),
      );
      expect(header(sent, 'In-Reply-To')).toBe(first.messageId);
      expect(header(sent, 'References')).toBe(first.messageId);
      const [latest] = emailEntries(await knownCard(from));
      expect(latest).toMatchObject({
        direction: 'outbound',
        subject: 'Re: Invoice question',
        text: 'Your invoice is attached to your account.',
        messageId: answer.body.id,
        conversationId,
      });
    });

    it('refuses a customer who opted out of email, sending nothing', async () => {
      const { store } = running.app;
      const { customer } = await aCustomer(store, {
        consent: { email: 'denied' },
      });
      const conversation = await store.openConversation(customer.id, {
        subject: 'Anything',
        channel: 'email',
      });
      const before = await fs.readdir(outbox).catch(() => []);

      const answer = await reply(customer.id, conversation.id, {
        text: 'Hello',
      });

      expect(answer).toMatchObject({
        status: 409,
        body: { code: 'BL_ERR_EMAIL_OPTED_OUT' },
      });
      expect(await fs.readdir(outbox).catch(() => [])).toEqual(before);
    });

    it('answers 400 naming the field when the text is missing', async () => {
      const { store } = running.app;
      const { customer } = await aCustomer(store);
      const conversation = await store.openConversation(customer.id, {
        subject: 'Anything',
        channel: 'email',
      });

      const answer = await reply(customer.id, conversation.id, { text: '' });

      expect(answer).toMatchObject({
        status: 400,
        body: { code: 'BL_ERR_INVALID_INPUT', field: 'text' },
      });
    });
  });

  describe('when the message is unusable', () => {
    it.each([
      ['no From', 'To: support@x.example\r\nSubject: hi\r\n\r\nbody\r\n', 550],
      [
        'a From that is no address',
        'From: not an address\r\nTo: support@x.example\r\n\r\nbody\r\n',
        550,
      ],
      ['no header section at all', '\r\n\r\njust a body\r\n', 554],
      ['a line that is no header', 'this is not mail at all\r\n', 554],
    ])(
      'refuses a message with %s and stores nothing',
      async (_case, raw, code) => {
        const before = await allKeys(running.redis.client);

        const delivery = await send({
          from: 'someone@x.example',
          to: 'support@x.example',
          raw,
        });

        expect(delivery).toMatchObject({ status: 'refused', code });
        expect(delivery.status === 'refused' && delivery.response).toMatch(
          /BL_ERR_EMAIL_/,
        );
        expect(await allKeys(running.redis.client)).toEqual(before);
      },
    );
  });

  it('leaves no key naming the customer after erasure', async () => {
    const thread = await aThreadWithReply('Delete me');
    await send(
      aMail({
        from: thread.from,
        headers: { 'In-Reply-To': thread.sentId },
      }),
    );

    const erased = await fetch(
      `${running.base}/api/customers/${thread.customerId}`,
      {
        method: 'DELETE',
        headers: { authorization: `Bearer ${testAdminToken}` },
      },
    );

    expect(erased.status).toBe(200);
    const keys = (await allKeys(running.redis.client)).join(' ');
    expect(keys).not.toContain(thread.customerId);
    expect(keys).not.toContain(thread.from);
  });
});
