import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '../../redis/connect';

/**
 * How an email finds its conversation, and how a reply of ours keeps the
 * customer's mail client threading it. Two clues, strongest first:
 *
 * - the reply address `reply+<customer id>.<token>@EMAIL_REPLY_DOMAIN`
 *   that every message we send carries as Reply-To: the token is random
 *   (96 bits), stored per conversation, so it cannot be guessed or forged;
 * - In-Reply-To and References (RFC 5322 section 3.6.4), matched against
 *   the Message-IDs of the conversation's messages, ours and theirs.
 *
 * Every key carries the customer's hash tag, so an erasure's scan for
 * `*{id}*` takes them all; Message-IDs are kept as digests, since they
 * often hold a host or an address.
 */

// A reply a year on is a new conversation anyway.
const threadTtlSeconds = 365 * 24 * 60 * 60;

// RFC 5321 section 2.4: the local part is case-sensitive, so a token in
// base64url survives relays; a customer id never holds a dot.
const replyLocalPart = /^reply\+([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{16})$/;

/** The References we keep: enough for any client to thread. */
const referencesKept = 20;

const emailKeys = {
  reply: (customerId: string, conversationId: string) =>
    `email-reply:{${customerId}}:${conversationId}`,
  token: (customerId: string, token: string) =>
    `email-token:{${customerId}}:${token}`,
  thread: (customerId: string, messageId: string) =>
    `email-thread:{${customerId}}:${digest(messageId)}`,
  last: (customerId: string, conversationId: string) =>
    `email-last:{${customerId}}:${conversationId}`,
};

function digest(messageId: string): string {
  return createHash('sha256')
    .update(messageId.trim().toLowerCase())
    .digest('base64url')
    .slice(0, 22);
}

/** The headers a reply needs to join the customer's thread. */
export interface ThreadHeaders {
  inReplyTo: string;
  references: string[];
}

export class EmailThreads {
  constructor(
    private readonly redis: RedisClient,
    private readonly replyDomain: string,
  ) {}

  /** The conversation's reply address, made on first use. */
  async replyAddress(
    customerId: string,
    conversationId: string,
  ): Promise<string> {
    const replyKey = emailKeys.reply(customerId, conversationId);
    const fresh = randomBytes(12).toString('base64url');
    // A rival making the address at the same time keeps one token: NX.
    await this.redis.set(replyKey, fresh, 'EX', threadTtlSeconds, 'NX');
    const token = (await this.redis.get(replyKey)) ?? fresh;
    await this.redis
      .multi()
      .expire(replyKey, threadTtlSeconds)
      .set(
        emailKeys.token(customerId, token),
        conversationId,
        'EX',
        threadTtlSeconds,
      )
      .exec();
    return `reply+${customerId}.${token}@${this.replyDomain}`;
  }

  /**
   * The conversation a reply address among `recipients` names, if it is
   * one of ours and belongs to `customerId`: an address of another
   * customer's conversation is ignored, so that a forged From cannot
   * write into someone else's journey.
   */
  async byReplyAddress(
    customerId: string,
    recipients: readonly string[],
  ): Promise<string | undefined> {
    for (const recipient of recipients) {
      const at = recipient.lastIndexOf('@');
      if (recipient.slice(at + 1).toLowerCase() !== this.replyDomain) {
        continue;
      }
      const match = replyLocalPart.exec(recipient.slice(0, at));
      if (match?.[1] !== customerId || match[2] === undefined) {
        continue;
      }
      const found = await this.redis.get(emailKeys.token(customerId, match[2]));
      if (found) {
        return found;
      }
    }
    return undefined;
  }

  /** The conversation a known Message-ID among `ids` belongs to. */
  async byReferences(
    customerId: string,
    ids: readonly string[],
  ): Promise<string | undefined> {
    if (ids.length === 0) {
      return undefined;
    }
    // One slot, so one MGET even on a Cluster.
    const found = await this.redis.mget(
      ids.map((id) => emailKeys.thread(customerId, id)),
    );
    return found.find((value): value is string => Boolean(value));
  }

  /**
   * Claims an inbound Message-ID before it is stored: false when it was
   * seen already (a sender that retried after losing our 250).
   */
  async claim(customerId: string, messageId: string): Promise<boolean> {
    const claimed = await this.redis.set(
      emailKeys.thread(customerId, messageId),
      '',
      'EX',
      threadTtlSeconds,
      'NX',
    );
    return claimed !== null;
  }

  /** Frees a claim whose message could not be stored, for the retry. */
  async release(customerId: string, messageId: string): Promise<void> {
    await this.redis.del(emailKeys.thread(customerId, messageId));
  }

  /** Files a Message-ID, ours or theirs, under its conversation. */
  async remember(
    customerId: string,
    conversationId: string,
    messageId: string,
  ): Promise<void> {
    await this.redis.set(
      emailKeys.thread(customerId, messageId),
      conversationId,
      'EX',
      threadTtlSeconds,
    );
  }

  /** Files the customer's latest message, for our reply's headers. */
  async rememberInbound(
    customerId: string,
    conversationId: string,
    headers: ThreadHeaders,
  ): Promise<void> {
    const last: ThreadHeaders = {
      inReplyTo: headers.inReplyTo,
      references: headers.references.slice(-referencesKept),
    };
    await this.redis
      .multi()
      .set(
        emailKeys.thread(customerId, headers.inReplyTo),
        conversationId,
        'EX',
        threadTtlSeconds,
      )
      .set(
        emailKeys.last(customerId, conversationId),
        JSON.stringify(last),
        'EX',
        threadTtlSeconds,
      )
      .exec();
  }

  /** In-Reply-To and References for our next message, if they wrote. */
  async replyHeaders(
    customerId: string,
    conversationId: string,
  ): Promise<ThreadHeaders | undefined> {
    const json = await this.redis.get(
      emailKeys.last(customerId, conversationId),
    );
    return json ? (JSON.parse(json) as ThreadHeaders) : undefined;
  }
}
