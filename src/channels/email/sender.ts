import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { ContextCard } from '../../context/card';
import {
  fileNames,
  removeFiles,
  removeOlderThan,
  type CustomerFiles,
  type ErasedCustomer,
} from '../../context/customer-files';
import type { ContextStore } from '../../context/store';
import { maskEmail, type Logger } from '../../log';
import type { CostLimits } from '../cost-limits';
import type { EmailSender, OutboundMessage, SendResult } from '../outbound';
import { storedTextChars } from './inbound';
import type { EmailThreads } from './threads';

/**
 * Email out: every send (an agent's reply, a link, a callback notice)
 * checks consent and the address's hourly limit here, carries the
 * conversation's reply address as Reply-To and, once the customer has
 * written, In-Reply-To and References (RFC 5322 section 3.6.4), so their
 * mail client threads it and their answer comes back to the same
 * conversation. Without SMTP_URL each message is written to
 * DATA_DIR/outbox as an .eml file, so a new install shows what it would
 * have sent. Outbox files hold addresses and bodies, so they are customer
 * files (context/customer-files.ts): named `<ms>.<customer id>.<id>.eml`,
 * removed with the customer and aged out with the timeline.
 */

export interface EmailSenderSettings {
  /** SMTP_URL; unset: the outbox. */
  smtpUrl: string | undefined;
  /** EMAIL_FROM */
  from: string;
  /** EMAIL_REPLY_DOMAIN, also the right side of our Message-IDs. */
  replyDomain: string;
  /** DATA_DIR/outbox */
  outboxDir: string;
}

export type EmailMessage = OutboundMessage & { to: string; subject: string };

type Transport = ReturnType<typeof nodemailer.createTransport>;

export class SmtpEmailSender implements EmailSender, CustomerFiles {
  private readonly transport: Transport;

  constructor(
    private readonly store: ContextStore,
    private readonly threads: EmailThreads,
    private readonly limits: CostLimits,
    private readonly settings: EmailSenderSettings,
    private readonly log: Logger,
  ) {
    this.transport = settings.smtpUrl
      ? nodemailer.createTransport(settings.smtpUrl)
      : nodemailer.createTransport({
          streamTransport: true,
          buffer: true,
          // .eml files open in mail clients with CRLF, as on the wire.
          newline: 'windows',
        });
  }

  /** Where messages go: the relay, or the outbox folder. */
  get relayed(): boolean {
    return this.settings.smtpUrl !== undefined;
  }

  async send(message: EmailMessage): Promise<SendResult> {
    let to: string;
    try {
      to = this.store.normalizeIdentity('email', message.to).value;
    } catch {
      return { status: 'refused', reason: 'no-address' };
    }
    const card = await this.store.cardById(message.customerId);
    if (!card) {
      return { status: 'refused', reason: 'no-address' };
    }
    if (card.customer.consent.email === 'denied') {
      return { status: 'refused', reason: 'opted-out' };
    }
    // Taken before the send and kept if it fails, as for SMS.
    if (!(await this.limits.take('email', to))) {
      this.log.info(
        { customerId: message.customerId, to: maskEmail(to) },
        'email refused: hourly limit for the address reached',
      );
      return { status: 'refused', reason: 'rate-limited' };
    }

    const { customerId, conversationId } = message;
    const [replyTo, thread] = await Promise.all([
      this.threads.replyAddress(customerId, conversationId),
      this.threads.replyHeaders(customerId, conversationId),
    ]);
    const messageId = `<${randomBytes(12).toString('base64url')}@${
      this.settings.replyDomain
    }>`;
    const info = (await this.transport.sendMail({
      from: this.settings.from,
      to,
      replyTo,
      subject: message.subject,
      text: message.text,
      messageId,
      ...(thread
        ? { inReplyTo: thread.inReplyTo, references: thread.references }
        : {}),
    })) as { message?: unknown };
    if (!this.relayed) {
      await this.writeToOutbox(customerId, messageId, info.message);
    }
    // Filed first: the customer may answer before the timeline write.
    await this.threads.remember(customerId, conversationId, messageId);
    this.log.info({ customerId, to: maskEmail(to) }, 'email sent');
    await this.record(message, messageId);
    return { status: 'sent', id: messageId };
  }

  /**
   * Emails the customer at their latest linked address: for an agent's
   * reply, where the caller knows the conversation but not the address.
   */
  async sendToCustomer(
    message: OutboundMessage & { subject: string },
  ): Promise<SendResult> {
    const card = await this.store.cardById(message.customerId);
    const to = card && latestEmail(card);
    if (to === undefined) {
      return { status: 'refused', reason: 'no-address' };
    }
    return this.send({ ...message, to });
  }

  close(): void {
    this.transport.close();
  }

  /** The outbox files written to the customer. */
  async erase(customer: ErasedCustomer): Promise<string[]> {
    const { outboxDir } = this.settings;
    const names = await fileNames(outboxDir);
    return removeFiles(
      outboxDir,
      'outbox',
      names.filter((name) => name.split('.')[1] === customer.customerId),
    );
  }

  sweep(cutoffMs: number): Promise<number> {
    return removeOlderThan(this.settings.outboxDir, cutoffMs);
  }

  private async writeToOutbox(
    customerId: string,
    messageId: string,
    raw: unknown,
  ) {
    if (!Buffer.isBuffer(raw)) {
      throw new Error('the stream transport gave no message to write');
    }
    await fs.mkdir(this.settings.outboxDir, { recursive: true });
    // Time first, so a listing reads in the order they were sent. Neither
    // a customer id nor base64url holds a dot.
    const name = `${Date.now()}.${customerId}.${messageId.slice(1, 17)}.eml`;
    await fs.writeFile(path.join(this.settings.outboxDir, name), raw);
  }

  private async record(message: EmailMessage, messageId: string) {
    const text =
      message.text.length <= storedTextChars
        ? message.text
        : `${message.text.slice(0, storedTextChars - 1)}…`;
    await this.store
      .appendEvents(message.customerId, [
        {
          type: 'email.message',
          direction: 'outbound',
          subject: message.subject.slice(0, 998),
          text,
          messageId,
          conversationId: message.conversationId,
        },
      ])
      .catch((err: unknown) => {
        // Sent is sent: the caller hears "sent" and the log says why.
        this.log.error(
          { err, customerId: message.customerId },
          'email sent but not recorded on the timeline',
        );
      });
  }
}

/** The email address linked last: the one the customer wrote from. */
export function latestEmail(card: ContextCard): string | undefined {
  const emails = card.identities
    .filter((identity) => identity.kind === 'email')
    .sort((a, b) => b.linkedAt.localeCompare(a.linkedAt));
  return emails[0]?.value;
}
