import type { RedisClient } from '../../redis/connect';
import type { AgentReach, Presence } from './decide';
import { sipKeys } from './keys';

/**
 * Where each agent's softphone can be reached, shared through Redis so that
 * whichever instance takes a call can route it. One registration per agent:
 * the latest REGISTER wins. TODO(perf): an agent with two devices rings
 * only the last one registered; forking to all needs a set per agent.
 */

export interface Registration {
  user: string;
  contact: string;
  expiresAt: number;
  source: string;
  userAgent: string;
}

const presences: readonly Presence[] = ['available', 'busy', 'away'];

export class RegistrationStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores a binding for `expiresSeconds`; Redis forgets it after. */
  async save(
    agentId: string,
    binding: Omit<Registration, 'expiresAt'>,
    expiresSeconds: number,
  ): Promise<Registration> {
    const registration = {
      ...binding,
      expiresAt: this.now() + expiresSeconds * 1000,
    };
    const key = sipKeys.registration(agentId);
    await this.redis
      .multi()
      .del(key)
      .hset(key, { ...registration, expiresAt: String(registration.expiresAt) })
      .pexpire(key, expiresSeconds * 1000)
      .exec();
    return registration;
  }

  /** Expires: 0 (RFC 3261 §10.2.2); only the user's own binding goes. */
  async remove(agentId: string, user: string): Promise<void> {
    const key = sipKeys.registration(agentId);
    const owner = await this.redis.hget(key, 'user');
    if (owner === user) {
      await this.redis.del(key);
    }
  }

  async find(agentId: string): Promise<Registration | undefined> {
    const hash = await this.redis.hgetall(sipKeys.registration(agentId));
    const expiresAt = Number(hash.expiresAt);
    if (!hash.contact || !(expiresAt > this.now())) {
      return undefined;
    }
    return {
      user: hash.user ?? '',
      contact: hash.contact,
      expiresAt,
      source: hash.source ?? '',
      userAgent: hash.userAgent ?? '',
    };
  }

  /** The registration and presence of an agent, in one round trip. */
  async reach(agentId: string): Promise<AgentReach> {
    const [registration, state] = await Promise.all([
      this.find(agentId),
      this.redis.hget(sipKeys.presence(agentId), 'state'),
    ]);
    return {
      agentId,
      contact: registration?.contact,
      // No key: available; a state we do not know: not available.
      presence:
        state === null
          ? 'available'
          : (presences.find((p) => p === state) ?? 'away'),
    };
  }

  /** Marks an agent busy, away or available; the agent desktop's job later. */
  async setPresence(agentId: string, state: Presence): Promise<void> {
    await this.redis.hset(sipKeys.presence(agentId), 'state', state);
  }
}
