import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import type { RedisClient } from '../redis/connect';
import type { CallbackSource } from './callback-requests';

/**
 * The callback line: a BullMQ queue of callback jobs, and a sorted set of
 * the callbacks waiting to be placed, ordered by when each customer first
 * joined. Job data is stored in clear text, so a job carries ids only: the
 * worker reads the number from the card when it runs.
 *
 * Every key of the queue and the line shares the hash tag `{bl-callbacks}`
 * (BullMQ's Lua scripts touch several keys at once, which a Redis Cluster
 * allows only within one slot). What belongs to a customer (the pending
 * guard, an attempt's record, a number asked for) is filed under their own
 * tag, so erasure takes it.
 */

export const queueName = 'callbacks';
export const queuePrefix = '{bl-callbacks}';

export interface CallbackJob {
  callbackId: string;
  customerId: string;
  conversationId: string;
  source: CallbackSource;
  /** 1 for the first call; each retry is a job of its own. */
  attempt: number;
  /** When the customer first joined the line, ms since the epoch. */
  joinedAt: number;
}

export const callbackKeys = {
  /** Waiting callbacks by joinedAt: positions are ranks here. */
  line: `${queuePrefix}:line`,
  /** Handle times (ms) of recent answered callbacks, newest first. */
  handled: `${queuePrefix}:handled`,
  /** The start of the priority scale; see priorityOf. */
  epoch: `${queuePrefix}:epoch`,
  /** One callback per conversation at a time: holds its callback id. */
  pending: (customerId: string, conversationId: string) =>
    `callback:{${customerId}}:pending:${conversationId}`,
  /** The number a request asked to be called on, when it named one. */
  phone: (customerId: string, callbackId: string) =>
    `callback:{${customerId}}:${callbackId}:phone`,
  /**
   * One hash per attempt: `state` is set (HSETNX) before the call is
   * placed, `sid` once jambonz answered, `ended` and `outcome` once known.
   */
  attempt: (customerId: string, callbackId: string, attempt: number) =>
    `callback:{${customerId}}:${callbackId}:attempt:${attempt}`,
};

/** The same customer and request key always give the same callback id. */
export function callbackIdOf(customerId: string, requestKey: string): string {
  const digest = createHash('sha256')
    .update(`${customerId}\n${requestKey}`)
    .digest('hex');
  return `cb${digest.slice(0, 32)}`;
}

/** Attempt 1 is the callback id itself; retries are numbered after it. */
export function jobIdOf(callbackId: string, attempt: number): string {
  return attempt === 1 ? callbackId : `${callbackId}-${attempt}`;
}

/** BullMQ's lowest priority: 2^21 - 1. */
const maxPriority = 2_097_151;

/**
 * BullMQ takes lower priorities first and, within one, the older job
 * first. A callback's priority is the minute its customer joined, counted
 * from the line's epoch (set once per deployment), so an earlier joiner
 * is called first; two who joined within one minute are called in the
 * order they asked. The scale lasts four years from the epoch; later
 * joiners all get the last priority and are called in the order they ask.
 */
export function priorityOf(joinedAt: number, epoch: number): number {
  const minutes = Math.floor((joinedAt - epoch) / 60_000);
  return Math.min(maxPriority, Math.max(1, minutes + 1));
}

/**
 * BullMQ needs connections of its own that retry commands forever
 * (maxRetriesPerRequest: null), while bridgeline's fail fast; duplicate()
 * keeps the rest of the client's setup (Sentinel, Cluster, TLS).
 */
export function bullConnection(redis: RedisClient): RedisClient {
  const own = { maxRetriesPerRequest: null, connectionName: 'bl-callbacks' };
  return redis instanceof Cluster
    ? redis.duplicate(undefined, {
        redisOptions: { ...redis.options.redisOptions, ...own },
      })
    : redis.duplicate(own);
}

export function callbackQueue(
  connection: RedisClient,
): Queue<CallbackJob, void> {
  return new Queue<CallbackJob, void, string>(queueName, {
    connection,
    prefix: queuePrefix,
    defaultJobOptions: {
      // Failures to reach jambonz at all, not unanswered calls: those
      // become a new attempt when the status hook says so.
      attempts: 5,
      backoff: { type: 'exponential', delay: 5_000 },
      // Kept a day, so a request key repeated that late still finds it.
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
}
