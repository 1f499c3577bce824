import { z } from 'zod';
import type { CallState } from '../ivr/types';
import type { RedisClient } from '../redis/connect';

/**
 * Where each call is in its flow, kept in Redis between jambonz's webhooks:
 * one JSON string per call sid, expiring CALL_STATE_TTL_SECONDS after the
 * last webhook, so a call whose final status never arrives leaves nothing
 * behind for long.
 *
 * The key carries the call sid as a Redis Cluster hash tag; a call's state
 * is never read together with a customer's keys, so it need not share
 * their slot.
 */

const storedState: z.ZodType<CallState> = z.object({
  callSid: z.string(),
  flowId: z.string(),
  flowVersion: z.number(),
  awaiting: z.string().optional(),
  attempts: z.number(),
  vars: z.record(z.string(), z.string()),
  path: z.array(z.string()),
  stack: z.array(
    z.object({ flowId: z.string(), flowVersion: z.number(), next: z.string() }),
  ),
  customerId: z.string().optional(),
  conversationId: z.string().optional(),
  ended: z.boolean(),
  callerPhone: z.string().optional(),
  queuedSince: z.number().optional(),
});

export function callStateKey(callSid: string): string {
  return `call:{${callSid}}`;
}

export class CallStates {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlSeconds: number,
  ) {}

  /** The call's state, or undefined when unknown, expired or unreadable. */
  async load(callSid: string): Promise<CallState | undefined> {
    return decode(await this.redis.get(callStateKey(callSid)));
  }

  async create(state: CallState): Promise<void> {
    await this.redis.set(
      callStateKey(state.callSid),
      JSON.stringify(state),
      'EX',
      this.ttlSeconds,
    );
  }

  /**
   * Saves the state of a call already under way. XX: a final status that
   * closed the call while this webhook ran is not undone by it; returns
   * false then.
   */
  async update(state: CallState): Promise<boolean> {
    const reply = await this.redis.set(
      callStateKey(state.callSid),
      JSON.stringify(state),
      'EX',
      this.ttlSeconds,
      'XX',
    );
    return reply === 'OK';
  }

  /**
   * Removes the call's state and returns what it was, in one command: when
   * jambonz delivers a final status twice, only one delivery gets it.
   */
  async finish(callSid: string): Promise<CallState | undefined> {
    return decode(await this.redis.getdel(callStateKey(callSid)));
  }
}

function decode(json: string | null): CallState | undefined {
  if (json === null) {
    return undefined;
  }
  try {
    const parsed = storedState.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
