import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis/connect';

/**
 * Failed logins, counted per source IP and per username over 15 minutes.
 * Past the limit a login is refused before its password is checked, so
 * guessing costs the attacker time and costs us no scrypt.
 *
 * - `loginfail:ip:<digest>` and `loginfail:user:<digest>`: a count that
 *   expires 15 minutes after the first failure it counts. IPs and usernames
 *   are kept as digests: the keyspace says nothing of who tried.
 */

export const loginWindowSeconds = 15 * 60;

// The source IP is request.ip: the socket's peer, or behind a proxy listed
// in TRUSTED_PROXIES the client its X-Forwarded-For names; without that
// list every login behind a proxy would share one count. The window is
// fixed from the first failure, not sliding.

export const loginLimitKeys = {
  ip: (ip: string) => `loginfail:ip:${digest(ip)}`,
  user: (username: string) => `loginfail:user:${digest(username)}`,
};

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}

export class LoginLimit {
  constructor(
    private readonly redis: RedisClient,
    private readonly failuresAllowed: number,
  ) {}

  /** Whether this IP or this username has used up its failures. */
  async blocked(ip: string, username: string): Promise<boolean> {
    const [byIp, byUser] = await Promise.all([
      this.redis.get(loginLimitKeys.ip(ip)),
      this.redis.get(loginLimitKeys.user(username)),
    ]);
    return (
      Number(byIp ?? 0) >= this.failuresAllowed ||
      Number(byUser ?? 0) >= this.failuresAllowed
    );
  }

  async recordFailure(ip: string, username: string): Promise<void> {
    await Promise.all(
      [loginLimitKeys.ip(ip), loginLimitKeys.user(username)].map((key) =>
        // SET NX EX starts the window with its expiry in the same step as
        // the count, so a stop can never leave a count that never expires.
        this.redis
          .multi()
          .set(key, 0, 'EX', loginWindowSeconds, 'NX')
          .incr(key)
          .exec(),
      ),
    );
  }

  /** A good login forgives the username's failures (not the IP's). */
  async recordSuccess(username: string): Promise<void> {
    await this.redis.del(loginLimitKeys.user(username));
  }
}
