import type { Queue } from 'bullmq';
import type { Result } from 'ioredis';
import { z } from 'zod';
import type { CallerCard } from '../context/card';
import {
  conversationIdPattern,
  customerIdPattern,
  keys,
} from '../context/keys';
import type { ContextStore } from '../context/store';
import { parseInput } from '../context/validate';
import { BridgelineError } from '../errors';
import type { EffectCaller, EffectResult } from '../ivr/types';
import type { Logger } from '../log';
import type { RedisClient } from '../redis/connect';
import type { CallbackDialer } from './callback-dialer';
import type { CallbackHours } from './callback-hours';
import {
  callbackIdOf,
  callbackKeys,
  jobIdOf,
  priorityOf,
  type CallbackJob,
} from './callback-line';
import type {
  CallbackReceipt,
  CallbackRequest,
  CallbackRequests,
  CustomerNotifier,
} from './callback-requests';
import { waitNotice } from './callback-words';

/**
 * Digital to callback, the request side: a customer asks to be called
 * (chat button, SMS keyword, email link, the IVR's callback node) and gets
 * a place in line, an estimated wait on their channel and, once, a job.
 *
 * Exactly once, on the way in: the callback id is a digest of the request
 * key, and it is the job id, so a request sent twice finds its job. A
 * per-conversation guard (SET NX) lets one callback per conversation wait
 * at a time: a second, different request for it answers
 * `already-scheduled`. The guard is first a claim that expires in
 * `claimMs` and is made lasting once the job is in the queue: a request
 * that stopped between the two leaves nothing that outlives the claim.
 */

export interface CallbackServiceOptions {
  redis: RedisClient;
  store: ContextStore;
  queue: Queue<CallbackJob, void>;
  hours: CallbackHours;
  /** Unset while the jambonz REST API or SMS_FROM_NUMBER is not set up. */
  dialer: CallbackDialer | undefined;
  notifier?: CustomerNotifier;
  logger: Logger;
  now: () => Date;
  /** The handle time estimates use until answered callbacks are timed. */
  handleMs: number;
}

const claimMs = 30_000;
/** A guard outlives any callback's retries, and then lapses. */
const guardMs = 7 * 24 * 3600 * 1000;
/** How many answered callbacks the average handle time is taken over. */
const handledSamples = 50;

const requestInput = z.strictObject({
  customerId: z.string().regex(customerIdPattern, 'a customer id'),
  conversationId: z.string().regex(conversationIdPattern, 'a conversation id'),
  source: z.enum(['ivr', 'chat', 'sms', 'email']),
  requestKey: z.string().min(1).max(256),
  phone: z.string().min(1).max(32).optional(),
  joinedAt: z.number().int().min(0).optional(),
});

// KEYS[1]: the guard; ARGV[1]: the callback that may release it.
const releaseGuard = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    blReleaseCallbackGuard(
      key: string,
      callbackId: string,
    ): Result<number, Context>;
  }
}

export class CallbackService implements CallbackRequests {
  private epoch: number | undefined;

  constructor(private readonly options: CallbackServiceOptions) {
    options.redis.defineCommand('blReleaseCallbackGuard', {
      numberOfKeys: 1,
      lua: releaseGuard,
    });
  }

  /** Callbacks can be placed at all on this install. */
  available(): boolean {
    return this.options.dialer !== undefined;
  }

  async request(raw: CallbackRequest): Promise<CallbackReceipt> {
    const input = parseInput(requestInput, raw);
    const { store, redis } = this.options;
    const { customerId, conversationId } = input;
    const phone =
      input.phone === undefined
        ? undefined
        : store.normalizeIdentity('phone', input.phone, 'phone').value;
    const [card, subject] = await Promise.all([
      store.cardById(customerId),
      redis.hget(keys.conversation(customerId, conversationId), 'subject'),
    ]);
    if (!card) {
      throw new BridgelineError('BL_ERR_CUSTOMER_NOT_FOUND', {
        field: 'customerId',
      });
    }
    if (subject === null) {
      throw new BridgelineError('BL_ERR_CONVERSATION_NOT_FOUND', {
        field: 'conversationId',
      });
    }
    const refusal = this.refusal(card, phone);
    if (refusal) {
      return refusal;
    }

    const callbackId = callbackIdOf(customerId, input.requestKey);
    if (await this.options.queue.getJob(callbackId)) {
      return this.receipt('already-scheduled', callbackId);
    }
    const guard = callbackKeys.pending(customerId, conversationId);
    const prior = await redis.set(
      guard,
      callbackId,
      'PX',
      claimMs,
      'NX',
      'GET',
    );
    if (prior !== null && prior !== callbackId) {
      return this.receipt('already-scheduled', prior);
    }

    // The same request again while the first is on its way (or after it
    // stopped half-way) adds the same job id: BullMQ keeps one.
    const joinedAt = input.joinedAt ?? this.options.now().getTime();
    await this.enqueue(
      {
        callbackId,
        customerId,
        conversationId,
        source: input.source,
        attempt: 1,
        joinedAt,
      },
      0,
      phone,
    );
    await redis.set(guard, callbackId, 'PX', guardMs, 'XX');
    if (prior === callbackId) {
      return this.receipt('already-scheduled', callbackId);
    }

    const receipt = await this.receipt('scheduled', callbackId);
    await this.record(customerId, conversationId, callbackId, [
      'requested',
      'scheduled',
    ]);
    if (receipt.status === 'scheduled') {
      await this.tell(customerId, conversationId, waitNotice(receipt));
    }
    this.options.logger.info(
      { customerId, callbackId, source: input.source },
      'callback scheduled',
    );
    return receipt;
  }

  /**
   * The IVR's callback node, for a caller the call already knows. The
   * effect carries no call start yet, so such a callback joins the line
   * when it is booked; `request` takes `joinedAt` for when it does.
   */
  async perform(caller: EffectCaller): Promise<EffectResult> {
    const { customerId, conversationId } = caller;
    if (customerId === undefined || conversationId === undefined) {
      return { outcome: 'unavailable' };
    }
    const receipt = await this.request({
      customerId,
      conversationId,
      source: 'ivr',
      requestKey: caller.callSid,
      ...(caller.phone === undefined ? {} : { phone: caller.phone }),
    });
    return receipt.status === 'refused'
      ? { outcome: 'unavailable' }
      : { outcome: 'done', customerId, conversationId };
  }

  /**
   * Puts one attempt in line: the job, by priority of when the customer
   * joined, and the line's sorted set, for positions.
   */
  async enqueue(job: CallbackJob, delayMs: number, phone?: string) {
    const { redis, queue } = this.options;
    const epoch = await this.lineEpoch();
    await Promise.all([
      phone === undefined
        ? undefined
        : redis.set(
            callbackKeys.phone(job.customerId, job.callbackId),
            phone,
            'PX',
            guardMs,
          ),
      redis.zadd(callbackKeys.line, 'NX', job.joinedAt, job.callbackId),
    ]);
    await queue.add('callback', job, {
      jobId: jobIdOf(job.callbackId, job.attempt),
      priority: priorityOf(job.joinedAt, epoch),
      ...(delayMs > 0 ? { delay: delayMs } : {}),
    });
  }

  /** Where a callback stands in line and how long it should wait. */
  async receipt(
    status: 'scheduled' | 'already-scheduled',
    callbackId: string,
  ): Promise<CallbackReceipt> {
    const { redis, hours, now } = this.options;
    const [rank, size, handleMs] = await Promise.all([
      redis.zrank(callbackKeys.line, callbackId),
      redis.zcard(callbackKeys.line),
      this.handleMs(),
    ]);
    const position = rank === null ? Math.max(1, size) : rank + 1;
    const waitMs = hours.untilOpen(now()) + position * handleMs;
    return {
      status,
      callbackId,
      position,
      estimatedWaitSeconds: Math.round(waitMs / 1000),
    };
  }

  /**
   * A callback is over (answered, given up, cancelled): it leaves the
   * line, and the conversation may ask for another. The guard goes only
   * if it still names this callback.
   */
  async finish(
    customerId: string,
    conversationId: string,
    callbackId: string,
  ): Promise<void> {
    const { redis } = this.options;
    await Promise.all([
      redis.zrem(callbackKeys.line, callbackId),
      redis.blReleaseCallbackGuard(
        callbackKeys.pending(customerId, conversationId),
        callbackId,
      ),
    ]);
  }

  /** Timeline entries for a callback, on its conversation. */
  async record(
    customerId: string,
    conversationId: string,
    callbackId: string,
    statuses: CallbackStatus[],
  ): Promise<void> {
    try {
      await this.options.store.appendEvents(
        customerId,
        statuses.map((status) => ({
          type: 'callback',
          status,
          jobId: callbackId,
          conversationId,
        })),
      );
    } catch (err) {
      this.options.logger.warn(
        { err, customerId, callbackId },
        'callback events not recorded',
      );
    }
  }

  /** A notice on the customer's digital channel; never fails a callback. */
  async tell(customerId: string, conversationId: string, text: string) {
    try {
      await this.options.notifier?.notify(customerId, conversationId, text);
    } catch (err) {
      this.options.logger.warn({ err, customerId }, 'callback notice not sent');
    }
  }

  /** Average handle time of recent answered callbacks, or the default. */
  async handleMs(): Promise<number> {
    const samples = await this.options.redis.lrange(
      callbackKeys.handled,
      0,
      handledSamples - 1,
    );
    if (samples.length < 3) {
      return this.options.handleMs;
    }
    const total = samples.reduce((sum, sample) => sum + Number(sample), 0);
    return total / samples.length;
  }

  /** Keeps an answered callback's length for the wait estimates. */
  async handled(ms: number): Promise<void> {
    await this.options.redis
      .multi()
      .lpush(callbackKeys.handled, String(Math.round(ms)))
      .ltrim(callbackKeys.handled, 0, handledSamples - 1)
      .exec();
  }

  private refusal(
    card: CallerCard,
    phone: string | undefined,
  ): CallbackReceipt | undefined {
    if (!this.options.dialer) {
      return { status: 'refused', reason: 'not-configured' };
    }
    if (card.customer.consent.voice === 'denied') {
      return { status: 'refused', reason: 'opted-out' };
    }
    if (phone === undefined && bestPhone(card) === undefined) {
      return { status: 'refused', reason: 'no-address' };
    }
    return undefined;
  }

  /**
   * The start of the priority scale, set once per deployment: a day
   * before its first request, so a customer who joined (on the phone)
   * before that request still sorts ahead of it.
   */
  private async lineEpoch(): Promise<number> {
    if (this.epoch === undefined) {
      const { redis } = this.options;
      const mine = String(this.options.now().getTime() - 24 * 3600 * 1000);
      const prior = await redis.set(callbackKeys.epoch, mine, 'NX', 'GET');
      this.epoch = Number(prior ?? mine);
    }
    return this.epoch;
  }
}

export type CallbackStatus =
  | 'requested'
  | 'scheduled'
  | 'placed'
  | 'answered'
  | 'no-answer'
  | 'failed'
  | 'cancelled';

/**
 * The number to call back: the strongest-verified phone on the card. A
 * self-claimed number (typed into a chat form) is never called unasked:
 * anyone can type a stranger's number.
 */
export function bestPhone(card: CallerCard): string | undefined {
  const rank = { otp: 2, carrier: 1, self_claimed: 0 } as const;
  const [best] = card.identities
    .filter((identity) => identity.kind === 'phone' && identity.verified)
    .sort((a, b) => rank[b.verification] - rank[a.verification]);
  return best?.value;
}
