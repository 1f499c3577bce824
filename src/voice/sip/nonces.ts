import { randomBytes } from 'node:crypto';
import type { Result } from 'ioredis';
import type { RedisClient } from '../../redis/connect';
import { sipKeys } from './keys';

/**
 * Digest nonces, remembered in Redis so that any instance can check a
 * response to a challenge another instance sent, and so that a captured
 * request cannot be replayed: drachtio-mw-digest-auth keeps no state at
 * all, which is why this store exists.
 *
 * With qop=auth each use carries a nonce count that must grow (RFC 7616
 * §3.4: the server should refuse a count it has seen); without qop the
 * nonce is good for one request.
 */

export type NonceCheck = 'fresh' | 'stale' | 'replayed';

// KEYS[1]: the nonce; ARGV[1]: its count, 0 when the client sent no qop.
const consumeNonce = `
local seen = redis.call('GET', KEYS[1])
if not seen then
  return 'stale'
end
local count = tonumber(ARGV[1])
if count == 0 then
  redis.call('DEL', KEYS[1])
  return 'fresh'
end
if count <= tonumber(seen) then
  return 'replayed'
end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
return 'fresh'
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    blConsumeNonce(key: string, count: number): Result<NonceCheck, Context>;
  }
}

export class NonceStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlSeconds: number,
  ) {
    redis.defineCommand('blConsumeNonce', {
      numberOfKeys: 1,
      lua: consumeNonce,
    });
  }

  /** A new nonce: 128 random bits, hex so it needs no quoting care. */
  async issue(): Promise<string> {
    const nonce = randomBytes(16).toString('hex');
    await this.redis.set(sipKeys.nonce(nonce), '0', 'EX', this.ttlSeconds);
    return nonce;
  }

  /**
   * Uses the nonce once with this count (undefined: no qop). 'stale' covers
   * both an expired nonce and one we never issued: the caller tells them
   * apart by whether the digest itself was right.
   */
  async use(nonce: string, count: number | undefined): Promise<NonceCheck> {
    if (!/^[0-9a-f]{32}$/.test(nonce)) {
      return 'stale';
    }
    return this.redis.blConsumeNonce(sipKeys.nonce(nonce), count ?? 0);
  }
}
