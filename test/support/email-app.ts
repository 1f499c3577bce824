import fs from 'node:fs/promises';
import path from 'node:path';
import type { ContextCard } from '../../src/context/card';
import type { TimelineEntry } from '../../src/context/events';
import { bridgelineOnOwnRedis, testAdminToken, type RunningApp } from './app';
import { aMail, deliver, type Delivery, type RawMail } from './email';
import { anEmail } from './factories';
import { tempDir } from './redis';

/**
 * bridgeline with its SMTP listener on a free loopback port and its
 * outbox in a folder of the test file's own, and what the email tests
 * ask of it: send a message in, read a customer, reply as an agent,
 * find what the outbox holds. Filled in by beforeAll.
 */

export interface EmailApp {
  running: RunningApp;
  /** DATA_DIR/outbox */
  outbox: () => string;
  send(mail: RawMail): Promise<Delivery>;
  knownCard(email: string): Promise<ContextCard>;
  reply(
    customerId: string,
    conversationId: string,
    body: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** The .eml the outbox holds for a Message-ID we sent. */
  outboxMessage(messageId: string): Promise<string>;
  /** A customer who wrote in, and the agent's reply that went out. */
  aThreadWithReply(subject: string): Promise<Thread>;
}

export interface Thread {
  from: string;
  customerId: string;
  conversationId: string;
  /** The Message-ID of the agent's reply. */
  sentId: string;
  /** The reply as the outbox holds it. */
  sent: string;
}

export function emailOnOwnBridgeline(
  extra: Record<string, string> = {},
): EmailApp {
  const env: Record<string, string> = {
    SMTP_PORT: '0',
    SMTP_HOST: '127.0.0.1',
    EMAIL_FROM: 'help@shop.example.com',
    EMAIL_REPLY_DOMAIN: 'reply.shop.example.com',
    ...extra,
  };
  beforeAll(async () => {
    env.DATA_DIR = await tempDir('email');
  });
  const running = bridgelineOnOwnRedis(env);
  const outbox = () => path.join(env.DATA_DIR ?? '', 'outbox');

  const app: EmailApp = {
    running,
    outbox,
    send(mail) {
      const port = running.app.channels.smtpPort();
      if (port === undefined) {
        throw new Error('the SMTP listener is not listening');
      }
      return deliver(port, mail);
    },
    async knownCard(email) {
      const { store } = running.app;
      const card = await store.cardByIdentity(
        store.normalizeIdentity('email', email),
      );
      if (!card) {
        throw new Error(`no customer for ${email}`);
      }
      return card;
    },
    async reply(customerId, conversationId, body) {
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
    },
    async outboxMessage(messageId) {
      for (const name of await fs.readdir(outbox())) {
        const text = await fs.readFile(path.join(outbox(), name), 'utf8');
        if (text.includes(`Message-ID: ${messageId}`)) {
          return text;
        }
      }
      throw new Error(`no outbox message ${messageId}`);
    },
    async aThreadWithReply(subject) {
      const from = anEmail();
      await app.send(aMail({ from, subject }));
      const card = await app.knownCard(from);
      const conversationId = card.conversations.open[0]?.id ?? '';
      const answer = await app.reply(card.customer.id, conversationId, {
        text: 'We are looking into it.',
      });
      const sentId = String(answer.body.id);
      return {
        from,
        customerId: card.customer.id,
        conversationId,
        sentId,
        sent: await app.outboxMessage(sentId),
      };
    },
  };
  return app;
}

export type EmailEntry = Extract<TimelineEntry, { type: 'email.message' }>;

/** The card's email events, newest first. */
export function emailEntries(card: ContextCard): EmailEntry[] {
  return card.timeline.filter(
    (entry): entry is EmailEntry => entry.type === 'email.message',
  );
}

/** A header's value in a raw message, unfolded lines only. */
export function header(message: string, name: string): string | undefined {
  const match = new RegExp(`^${name}: (.*)$`, 'im').exec(message);
  return match?.[1]?.trim();
}
