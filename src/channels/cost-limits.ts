import { createHash, randomBytes } from 'node:crypto';
import type { Result } from 'ioredis';
import type { RedisClient } from '../redis/connect';

/**
 * Per-number hourly limits on what costs money: SMS sent and calls placed
 * to one number, and emails sent to one address (a relay bills, and a
 * flood of mail gets the sending domain listed as a spammer). A loop in a
 * flow, an agent's double click or someone abusing the callback keyword
 * must not run up a carrier bill or flood a stranger's phone, so every
 * send or dial takes a slot here first.
 *
 * The window slides: a number may have at most `limit` sends in any hour,
 * not `limit` per clock hour (which would allow twice that across the
 * turn of an hour). Each slot is a member of a sorted set scored by when
 * it was taken; the check and the take are one script, so instances
 * racing for the last slot cannot both win.
 */

export type CostKind = 'sms' | 'call' | 'email';

export interface CostLimitSettings {
  /** SMS_PER_NUMBER_PER_HOUR */
  sms: number;
  /** CALLS_PER_NUMBER_PER_HOUR */
  call: number;
  /** Emails to one address; only the email channel's limits set it. */
  email?: number;
}

const hourMs = 60 * 60 * 1000;

// KEYS[1]: the number's window; ARGV: now (ms), window (ms), limit, member.
const takeSlot = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    blTakeCostSlot(
      key: string,
      nowMs: number,
      windowMs: number,
      limit: number,
      member: string,
    ): Result<number, Context>;
  }
}

export class CostLimits {
  constructor(
    private readonly redis: RedisClient,
    private readonly limits: CostLimitSettings,
    private readonly now: () => number = Date.now,
  ) {
    redis.defineCommand('blTakeCostSlot', { numberOfKeys: 1, lua: takeSlot });
  }

  /**
   * Takes one slot for an SMS or a call to `e164`: true when it may go
   * ahead, false when the number had its fill this past hour. A refused
   * take uses no slot.
   */
  async take(kind: CostKind, e164: string): Promise<boolean> {
    const limit = this.limits[kind];
    if (limit === undefined) {
      throw new Error(`no hourly limit was set for ${kind}`);
    }
    const member = `${this.now()}-${randomBytes(6).toString('base64url')}`;
    const taken = await this.redis.blTakeCostSlot(
      costKey(kind, e164),
      this.now(),
      hourMs,
      limit,
      member,
    );
    return taken === 1;
  }
}

/**
 * The key names the number by a digest, so the keyspace holds no phone
 * numbers: the window outlives neither the hour nor an erasure's scan for
 * personal data. It belongs to a number, not a customer, hence no hash tag.
 */
export function costKey(kind: CostKind, e164: string): string {
  const digest = createHash('sha256').update(e164).digest('base64url');
  return `cost:${kind}:${digest.slice(0, 22)}`;
}
