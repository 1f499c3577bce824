import type { RedisClient } from '../redis/connect';

/**
 * Where a call routed through the ACD stands, between jambonz's webhooks
 * and the ACD's offers: one hash per call, `queuecall:{<callSid>}`, with
 * the call sid as its Redis Cluster hash tag, expiring with the call.
 *
 * The phase says who may act on a new offer for the call:
 * - `routing`: a webhook is enqueueing the call; it answers the offer
 *   itself with a dial, so an offer that arrives now is only noted;
 * - `waiting`: the caller is in jambonz's queue; an offer moves the call
 *   to the agent through the REST API (phase `connecting`), or, without
 *   the REST API, on its next waitHook (phase `leaving`);
 * - `dialing`: the agent's phone rings, for the offer the hash holds;
 *   `bridged` once the agent answered;
 * - `done`: the dial ended with the conversation over.
 *
 * The moves that race an offer are Lua scripts on the one hash, so a call
 * is moved to an agent once, by the webhook or by the offer, never both.
 */

export type QueuePhase =
  | 'routing'
  | 'waiting'
  | 'connecting'
  | 'leaving'
  | 'dialing'
  | 'bridged'
  | 'done';

export interface QueueCall {
  contactId: string;
  phase: QueuePhase;
  queue: string;
  skills: string[];
  priority: number;
  offer?: OfferRef;
}

export interface OfferRef {
  offerId: string;
  agentId: string;
  /** ms since the epoch; the agent's phone rings until about then. */
  expiresAt: number;
}

const phases: readonly QueuePhase[] = [
  'routing',
  'waiting',
  'connecting',
  'leaving',
  'dialing',
  'bridged',
  'done',
];

export function queueCallKey(callSid: string): string {
  return `queuecall:{${callSid}}`;
}

// ARGV: offerId, agentId, ttl, expiresAt. Notes the offer; a waiting call is the
// offer's to move: 1 then, else 0; -1 for a call that is not routed.
const noteOfferScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
redis.call('HSET', KEYS[1], 'offerId', ARGV[1], 'agentId', ARGV[2],
  'expiresAt', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if redis.call('HGET', KEYS[1], 'phase') == 'waiting' then
  redis.call('HSET', KEYS[1], 'phase', 'connecting')
  return 1
end
return 0`;

// ARGV: ttl. After an enqueue that left the call waiting: an offer noted
// meanwhile is the webhook's to dial ({offerId, agentId, expiresAt});
// else the call waits.
const settleScript = `
local offer = redis.call('HMGET', KEYS[1], 'offerId', 'agentId', 'expiresAt')
redis.call('EXPIRE', KEYS[1], ARGV[1])
if offer[1] and offer[2] and offer[3] then
  redis.call('HSET', KEYS[1], 'phase', 'dialing')
  return offer
end
redis.call('HSET', KEYS[1], 'phase', 'waiting')
return false`;

// ARGV: offerId. Forgets the offer if it is still the call's. A call
// ringing an agent whose offer went (declined on the desktop, expired) is
// waiting again: the next offer moves it off that dial.
const forgetScript = `
if redis.call('HGET', KEYS[1], 'offerId') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'offerId', 'agentId', 'expiresAt')
  if redis.call('HGET', KEYS[1], 'phase') == 'dialing' then
    redis.call('HSET', KEYS[1], 'phase', 'waiting')
  end
  return 1
end
return 0`;

export class QueueCalls {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlSeconds: number,
  ) {}

  /** A webhook starts routing the call: any offer it had is over. */
  async begin(callSid: string, call: Omit<QueueCall, 'phase'>): Promise<void> {
    const key = queueCallKey(callSid);
    await this.redis
      .multi()
      .hdel(key, 'offerId', 'agentId', 'expiresAt')
      .hset(key, {
        contactId: call.contactId,
        phase: 'routing',
        queue: call.queue,
        skills: JSON.stringify(call.skills),
        priority: call.priority,
      })
      .expire(key, this.ttlSeconds)
      .exec();
  }

  async load(callSid: string): Promise<QueueCall | undefined> {
    const hash = await this.redis.hgetall(queueCallKey(callSid));
    return decode(hash);
  }

  /** The call rings this agent now. */
  async dialing(callSid: string, offer: OfferRef): Promise<void> {
    await this.redis.hset(queueCallKey(callSid), {
      phase: 'dialing',
      offerId: offer.offerId,
      agentId: offer.agentId,
      expiresAt: offer.expiresAt,
    });
  }

  async setPhase(callSid: string, phase: QueuePhase): Promise<void> {
    await this.redis.hset(queueCallKey(callSid), 'phase', phase);
  }

  /** See noteOfferScript: 'move', 'noted', or 'unknown'. */
  async noteOffer(
    callSid: string,
    offer: OfferRef,
  ): Promise<'move' | 'noted' | 'unknown'> {
    const reply = await this.redis.eval(
      noteOfferScript,
      1,
      queueCallKey(callSid),
      offer.offerId,
      offer.agentId,
      this.ttlSeconds,
      offer.expiresAt,
    );
    return reply === 1 ? 'move' : reply === 0 ? 'noted' : 'unknown';
  }

  /** See settleScript: the offer to dial now, or undefined: waiting. */
  async settle(callSid: string): Promise<OfferRef | undefined> {
    const reply: unknown = await this.redis.eval(
      settleScript,
      1,
      queueCallKey(callSid),
      this.ttlSeconds,
    );
    if (!isList(reply)) {
      return undefined;
    }
    const [offerId, agentId, expiresAt] = reply;
    return offerOf({ offerId, agentId, expiresAt });
  }

  async forgetOffer(callSid: string, offerId: string): Promise<void> {
    await this.redis.eval(forgetScript, 1, queueCallKey(callSid), offerId);
  }

  /** Removes the record and returns it: one final status gets it. */
  async finish(callSid: string): Promise<QueueCall | undefined> {
    const key = queueCallKey(callSid);
    const [[, hash] = []] =
      (await this.redis.multi().hgetall(key).del(key).exec()) ?? [];
    return isStringRecord(hash) ? decode(hash) : undefined;
  }
}

function isList(value: unknown): value is unknown[] {
  return Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((field) => typeof field === 'string')
  );
}

function decode(hash: Record<string, string>): QueueCall | undefined {
  const phase = phases.find((known) => known === hash.phase);
  const { contactId, queue } = hash;
  if (!phase || contactId === undefined || queue === undefined) {
    return undefined;
  }
  let skills: string[] = [];
  try {
    const parsed: unknown = JSON.parse(hash.skills ?? '[]');
    if (Array.isArray(parsed)) {
      skills = parsed.filter((s): s is string => typeof s === 'string');
    }
  } catch {
    skills = [];
  }
  const offer = offerOf(hash);
  return {
    contactId,
    phase,
    queue,
    skills,
    priority: Number(hash.priority ?? 5),
    ...(offer === undefined ? {} : { offer }),
  };
}

function offerOf(fields: Record<string, unknown>): OfferRef | undefined {
  const { offerId, agentId } = fields;
  const expiresAt = Number(fields.expiresAt);
  if (
    typeof offerId !== 'string' ||
    typeof agentId !== 'string' ||
    !Number.isFinite(expiresAt)
  ) {
    return undefined;
  }
  return { offerId, agentId, expiresAt };
}
