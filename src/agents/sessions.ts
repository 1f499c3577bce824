import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { RedisClient } from '../redis/connect';
import { roles, type Role } from './types';

/**
 * Login sessions. A token is 32 random bytes; Redis keeps only its SHA-256,
 * so a copy of the keyspace holds no usable session:
 *
 * - `session:<sha256 hex>` hash {accountId, role, createdAt}, expiring
 *   SESSION_HOURS after login. `role` is the role at login, for the record;
 *   each request reads the account's current role and state.
 * - `account:{<id>}:sessions` sorted set: the account's session digests by
 *   expiry (ms), so disabling an account or changing its password ends
 *   every session it has. Expired members are pruned at each login.
 */

export const sessionCookie = 'bl_session';

/** 32 bytes in base64url, no padding. */
const tokenShape = /^[A-Za-z0-9_-]{43}$/;

export interface Session {
  accountId: string;
  role: Role;
  createdAt: string;
}

const storedSession = z.object({
  accountId: z.string().min(1),
  role: z.enum(roles),
  createdAt: z.string(),
});

export const sessionKeys = {
  session: (digest: string) => `session:${digest}`,
  ofAccount: (accountId: string) => `account:{${accountId}}:sessions`,
};

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface SessionStoreOptions {
  ttlSeconds: number;
  now?: () => number;
}

export class SessionStore {
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: SessionStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get ttlSeconds(): number {
    return this.options.ttlSeconds;
  }

  /** A new session for the account; the token is returned once, never kept. */
  async create(accountId: string, role: Role): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const digest = tokenDigest(token);
    const now = this.now();
    const expiresAt = now + this.options.ttlSeconds * 1000;
    const ofAccount = sessionKeys.ofAccount(accountId);
    // The session key and the account's set live in different Cluster
    // slots, so they are separate commands; the set is written first, so
    // a stop in between leaves a digest that ends nothing, never a session
    // that disabling the account could not reach.
    await this.redis
      .multi()
      .zremrangebyscore(ofAccount, '-inf', now)
      .zadd(ofAccount, expiresAt, digest)
      .pexpireat(ofAccount, expiresAt)
      .exec();
    await this.redis
      .multi()
      .hset(sessionKeys.session(digest), {
        accountId,
        role,
        createdAt: new Date(now).toISOString(),
      })
      .expire(sessionKeys.session(digest), this.options.ttlSeconds)
      .exec();
    return token;
  }

  /** The live session a token names, or undefined. */
  async find(token: string): Promise<Session | undefined> {
    if (!tokenShape.test(token)) {
      return undefined;
    }
    const hash = await this.redis.hgetall(
      sessionKeys.session(tokenDigest(token)),
    );
    const parsed = storedSession.safeParse(hash);
    return parsed.success ? parsed.data : undefined;
  }

  /** Ends one session (logout); unknown tokens are ignored. */
  async end(token: string): Promise<void> {
    if (!tokenShape.test(token)) {
      return;
    }
    const digest = tokenDigest(token);
    const session = await this.find(token);
    await this.redis.del(sessionKeys.session(digest));
    if (session) {
      await this.redis.zrem(sessionKeys.ofAccount(session.accountId), digest);
    }
  }

  /** Ends every session of an account; returns how many were live. */
  async endAll(accountId: string): Promise<number> {
    const ofAccount = sessionKeys.ofAccount(accountId);
    const digests = await this.redis.zrange(ofAccount, 0, -1);
    // One DEL per key: in a Cluster the sessions sit in many slots.
    const removed = await Promise.all(
      digests.map((digest) => this.redis.del(sessionKeys.session(digest))),
    );
    await this.redis.del(ofAccount);
    return removed.reduce((sum, count) => sum + count, 0);
  }
}
