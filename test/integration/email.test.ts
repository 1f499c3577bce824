import { aCustomer, anEmail } from '../support/factories';
import { aMail } from '../support/email';
import { emailEntries, emailOnOwnBridgeline } from '../support/email-app';
import { allKeys } from '../support/redis';
import { testAdminToken } from '../support/app';

/** Mail in over SMTP: who sent it, where it goes, what is refused. */

const app = emailOnOwnBridgeline();

describe('email', () => {
  describe('when a message arrives over SMTP', () => {
    it('creates a customer with a self-claimed address and a conversation', async () => {
      const from = anEmail();
      const mail = aMail({
        from,
        subject: 'Parcel 1234 is late',
        text: 'It was due on Monday.',
      });

      const delivery = await app.send(mail);

      expect(delivery.status).toBe('accepted');
      const card = await app.knownCard(from);
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

      const deliveries = [await app.send(mail), await app.send(mail)];

      expect(deliveries.map((d) => d.status)).toEqual(['accepted', 'accepted']);
      expect(emailEntries(await app.knownCard(from))).toHaveLength(1);
    });

    it('keeps the link of an address already known to a customer', async () => {
      const { store } = app.running.app;
      const from = anEmail();
      const { customer } = await store.upsertCustomer({
        name: 'Grace Hopper',
        identities: [{ kind: 'email', value: from, verification: 'otp' }],
      });

      await app.send(aMail({ from }));

      const card = await app.knownCard(from);
      expect(card.customer.id).toBe(customer.id);
      expect(card.identities).toEqual([
        expect.objectContaining({ verification: 'otp', verified: true }),
      ]);
    });

    it('continues the conversation a customer started by SMS', async () => {
      const { store } = app.running.app;
      const { customer, email } = await aCustomer(store);
      const sms = await store.openConversation(customer.id, {
        subject: 'Refund for order 77',
        channel: 'sms',
      });

      await app.send(aMail({ from: email, subject: 'About my refund' }));

      const card = await app.knownCard(email);
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

      const delivery = await app.send({ from, to: 'support@x.example', raw });

      expect(delivery.status).toBe('accepted');
      const [entry] = emailEntries(await app.knownCard(from));
      expect(entry?.subject).toBe('こんにちは');
      expect(entry?.text).toContain('Un café crème');
    });

    it('stores a message whose charset is unknown rather than failing', async () => {
      const from = anEmail();
      const raw = aMail({ from, text: 'plain words' })
        .raw.toString()
        .replace('charset=utf-8', 'charset=x-no-such-charset');

      const delivery = await app.send({ from, to: 'support@x.example', raw });

      expect(delivery.status).toBe('accepted');
      const [entry] = emailEntries(await app.knownCard(from));
      expect(entry?.text).toContain('plain words');
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
        const before = await allKeys(app.running.redis.client);

        const delivery = await app.send({
          from: 'someone@x.example',
          to: 'support@x.example',
          raw,
        });

        expect(delivery).toMatchObject({ status: 'refused', code });
        expect(delivery.status === 'refused' && delivery.response).toMatch(
          /BL_ERR_EMAIL_/,
        );
        expect(await allKeys(app.running.redis.client)).toEqual(before);
      },
    );
  });

  it('leaves no key naming the customer after erasure', async () => {
    const thread = await app.aThreadWithReply('Delete me');
    await app.send(
      aMail({
        from: thread.from,
        headers: { 'In-Reply-To': thread.sentId },
      }),
    );

    const erased = await fetch(
      `${app.running.base}/api/customers/${thread.customerId}`,
      {
        method: 'DELETE',
        headers: { authorization: `Bearer ${testAdminToken}` },
      },
    );

    expect(erased.status).toBe(200);
    const keys = (await allKeys(app.running.redis.client)).join(' ');
    expect(keys).not.toContain(thread.customerId);
    expect(keys).not.toContain(thread.from);
  });
});
