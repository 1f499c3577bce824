import fs from 'node:fs/promises';
import path from 'node:path';
import { aCustomer, anEmail } from '../support/factories';
import { aMail } from '../support/email';
import {
  emailEntries,
  emailOnOwnBridgeline,
  header,
} from '../support/email-app';

/**
 * Replies both ways: the customer's, threaded back into its conversation
 * by the reply address or In-Reply-To, and the agent's, with the headers
 * that make that work.
 */

const app = emailOnOwnBridgeline();

describe('email replies', () => {
  describe('when a customer replies', () => {
    it('threads a reply sent to the reply address into its conversation', async () => {
      const thread = await app.aThreadWithReply('Broken kettle');
      const later = await app.running.app.store.openConversation(
        thread.customerId,
        { subject: 'Something else', channel: 'email' },
      );
      const replyTo = header(thread.sent, 'Reply-To') ?? '';

      await app.send(
        aMail({ from: thread.from, to: replyTo, subject: 'New subject' }),
      );

      const card = await app.knownCard(thread.from);
      const [latest] = emailEntries(card);
      expect(latest?.subject).toBe('New subject');
      expect(latest?.conversationId).toBe(thread.conversationId);
      expect(latest?.conversationId).not.toBe(later.id);
    });

    it('threads a reply by In-Reply-To alone', async () => {
      const thread = await app.aThreadWithReply('Wrong size');
      const later = await app.running.app.store.openConversation(
        thread.customerId,
        { subject: 'Something else', channel: 'email' },
      );

      await app.send(
        aMail({
          from: thread.from,
          subject: 'Re: Wrong size',
          headers: { 'In-Reply-To': thread.sentId },
        }),
      );

      const [latest] = emailEntries(await app.knownCard(thread.from));
      expect(latest?.conversationId).toBe(thread.conversationId);
      expect(latest?.conversationId).not.toBe(later.id);
    });

    it('ignores a reply address of another customer', async () => {
      const thread = await app.aThreadWithReply('Not yours');
      const replyTo = header(thread.sent, 'Reply-To') ?? '';
      const stranger = anEmail();

      await app.send(aMail({ from: stranger, to: replyTo }));

      const card = await app.knownCard(stranger);
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
      await app.send(first);
      const card = await app.knownCard(from);
      const conversationId = card.conversations.open[0]?.id ?? '';

      const answer = await app.reply(card.customer.id, conversationId, {
        text: 'Your invoice is attached to your account.',
      });

      expect(answer).toMatchObject({ status: 201, body: { status: 'sent' } });
      const sent = await app.outboxMessage(String(answer.body.id));
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
      const [latest] = emailEntries(await app.knownCard(from));
      expect(latest).toMatchObject({
        direction: 'outbound',
        subject: 'Re: Invoice question',
        text: 'Your invoice is attached to your account.',
        messageId: answer.body.id,
        conversationId,
      });
    });

    it('forgets what the outbox holds for a customer who is erased', async () => {
      const erased = await app.aThreadWithReply('Delete my data');
      const kept = await app.aThreadWithReply('Keep me posted');
      const file = async (messageId: string) => {
        for (const name of await fs.readdir(app.outbox())) {
          const text = await fs.readFile(path.join(app.outbox(), name), 'utf8');
          if (text.includes(`Message-ID: ${messageId}`)) {
            return name;
          }
        }
        return undefined;
      };
      const erasedFile = await file(erased.sentId);

      const receipt = await app.running.app.store.erase(erased.customerId);

      expect(receipt.files).toEqual([`outbox/${String(erasedFile)}`]);
      expect(await file(erased.sentId)).toBeUndefined();
      expect(await file(kept.sentId)).toBeDefined();
    });

    it('refuses a customer who opted out of email, sending nothing', async () => {
      const { store } = app.running.app;
      const { customer } = await aCustomer(store, {
        consent: { email: 'denied' },
      });
      const conversation = await store.openConversation(customer.id, {
        subject: 'Anything',
        channel: 'email',
      });
      const before = await fs.readdir(app.outbox()).catch(() => []);

      const answer = await app.reply(customer.id, conversation.id, {
        text: 'Hello',
      });

      expect(answer).toMatchObject({
        status: 409,
        body: { code: 'BL_ERR_EMAIL_OPTED_OUT' },
      });
      expect(await fs.readdir(app.outbox()).catch(() => [])).toEqual(before);
    });

    it('answers 400 naming the field when the text is missing', async () => {
      const { store } = app.running.app;
      const { customer } = await aCustomer(store);
      const conversation = await store.openConversation(customer.id, {
        subject: 'Anything',
        channel: 'email',
      });

      const answer = await app.reply(customer.id, conversation.id, {
        text: '',
      });

      expect(answer).toMatchObject({
        status: 400,
        body: { code: 'BL_ERR_INVALID_INPUT', field: 'text' },
      });
    });
  });
});
