import { createHash } from 'node:crypto';
import type { RedisClient } from '../../redis/connect';

/**
 * Inbound messages per remote IP per minute (SMTP_MESSAGES_PER_MINUTE):
 * a mail loop or a spam run must not fill a timeline or Redis. Counted
 * in Redis, so every instance behind one MX record shares the count.
 *
 * The window is the clock minute, not a sliding one: a sender may get up
 * to twice the limit across the turn of a minute, which is harmless here
 * (a refused sender is told to retry, RFC 5321 section 4.2.5) and costs
 * one round trip instead of a script.
 */

export class SenderRate {
  constructor(
    private readonly redis: RedisClient,
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one message from `ip`: false once it is over the limit. */
  async admit(ip: string): Promise<boolean> {
    const minute = Math.floor(this.now() / 60_000);
    // The key names the address by a digest: no IP sits in the keyspace.
    const digest = createHash('sha256').update(ip).digest('base64url');
    const key = `smtp-rate:${digest.slice(0, 22)}:${minute}`;
    const replies = await this.redis.multi().incr(key).expire(key, 120).exec();
    const count = Number(replies?.[0]?.[1] ?? 0);
    return count <= this.perMinute;
  }
}
