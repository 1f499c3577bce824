import { DelayedError, Worker, type Job } from 'bullmq';
import type { Result } from 'ioredis';
import type { CostLimits } from '../channels/cost-limits';
import type { ContextStore } from '../context/store';
import type { Logger } from '../log';
import type { RedisClient } from '../redis/connect';
import { surelyNotPlaced, type CallbackDialer } from './callback-dialer';
import type { CallbackHours } from './callback-hours';
import {
  callbackKeys,
  queueName,
  queuePrefix,
  type CallbackJob,
} from './callback-line';
import { bestPhone, type CallbackService } from './callback-service';
import { limitNotice, optedOutNotice } from './callback-words';

/**
 * Places callbacks when their turn comes: BullMQ hands jobs over in order
 * of priority (when the customer joined), `concurrency` at a time.
 *
 * A worker killed in the middle never makes two calls for one attempt:
 * before the REST request goes out, the attempt's record is created with
 * HSETNX; a job run again (BullMQ hands a stalled job to another worker)
 * finds the record and does not dial. What the first run could not write
 * (the call sid) comes back with the call's webhooks, whose tag names the
 * attempt.
 */

const recordMs = 7 * 24 * 3600 * 1000;

// KEYS[1]: the attempt's record; ARGV: ttl ms, conversation, source, joinedAt.
const markAttempt = `
if redis.call('HSETNX', KEYS[1], 'state', 'placing') == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'conversation', ARGV[2], 'source', ARGV[3],
  'joinedAt', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    blMarkCallbackAttempt(
      key: string,
      ttlMs: number,
      conversationId: string,
      source: string,
      joinedAt: number,
    ): Result<number, Context>;
  }
}

export interface CallbackWorkerOptions {
  /** A connection of BullMQ's own; see bullConnection. */
  connection: RedisClient;
  redis: RedisClient;
  store: ContextStore;
  service: CallbackService;
  dialer: CallbackDialer;
  costLimits: CostLimits;
  hours: CallbackHours;
  logger: Logger;
  now: () => Date;
  concurrency: number;
  /** Outside hours a job looks again this often (the clock may move). */
  closedRecheckMs?: number;
  /** How long a job is held without its worker before another takes it. */
  lockMs?: number;
}

export class CallbackWorker {
  private worker: Worker<CallbackJob, void> | undefined;

  constructor(private readonly options: CallbackWorkerOptions) {
    options.redis.defineCommand('blMarkCallbackAttempt', {
      numberOfKeys: 1,
      lua: markAttempt,
    });
  }

  start(): void {
    const { connection, concurrency, logger, lockMs = 30_000 } = this.options;
    this.worker = new Worker<CallbackJob, void, string>(
      queueName,
      (job, token) => this.process(job, token),
      {
        connection,
        prefix: queuePrefix,
        concurrency,
        // A worker that dies holding a job loses it after this long.
        lockDuration: lockMs,
        stalledInterval: lockMs,
      },
    );
    this.worker.on('failed', (job, err) => {
      logger.warn(
        { err, callbackId: job?.data.callbackId, tries: job?.attemptsMade },
        'callback job failed',
      );
    });
    this.worker.on('error', (err) => {
      logger.warn({ err }, 'callback worker error');
    });
  }

  /** Takes no new job, lets the ones in hand finish. */
  async close(): Promise<void> {
    await this.worker?.close();
  }

  private async process(
    job: Job<CallbackJob, void>,
    token: string | undefined,
  ): Promise<void> {
    const { hours, now, closedRecheckMs = 60_000 } = this.options;
    const untilOpen = hours.untilOpen(now());
    if (untilOpen > 0) {
      await job.moveToDelayed(
        Date.now() + Math.min(untilOpen, closedRecheckMs),
        token,
      );
      throw new DelayedError();
    }
    await this.place(job.data);
  }

  private async place(data: CallbackJob): Promise<void> {
    const { redis, store, service, dialer, costLimits } = this.options;
    const { customerId, conversationId, callbackId, attempt } = data;
    const log = this.options.logger.child({ customerId, callbackId, attempt });
    const [card, asked] = await Promise.all([
      store.cardById(customerId),
      redis.get(callbackKeys.phone(customerId, callbackId)),
    ]);
    if (!card) {
      log.info('callback dropped: the customer was erased');
      await redis.zrem(callbackKeys.line, callbackId);
      return;
    }
    const phone = asked ?? bestPhone(card);
    const consent = card.customer.consent.voice;
    if (phone === undefined || consent === 'denied') {
      await this.giveUp(data, 'cancelled', optedOutNotice);
      log.info({ consent }, 'callback cancelled before the call');
      return;
    }

    const record = callbackKeys.attempt(customerId, callbackId, attempt);
    if ((await redis.hexists(record, 'state')) === 1) {
      log.info('attempt already placed; not calling again');
      return;
    }
    if (!(await costLimits.take('call', phone))) {
      await this.giveUp(data, 'failed', limitNotice);
      log.info('callback refused: calls per number per hour reached');
      return;
    }
    // The idempotency mark: set before the call exists, never twice. It
    // keeps what the call's webhooks need, so a worker that dies after
    // this line leaves a callback they can still finish.
    const marked = await redis.blMarkCallbackAttempt(
      record,
      recordMs,
      conversationId,
      data.source,
      data.joinedAt,
    );
    if (marked === 0) {
      log.info('attempt already placed; not calling again');
      return;
    }

    let sid: string;
    try {
      sid = await dialer.place(phone, {
        bridgelineCallback: callbackId,
        customer: customerId,
        attempt,
      });
    } catch (err) {
      if (surelyNotPlaced(err)) {
        // No call exists: the mark goes, and BullMQ tries again.
        await redis.del(record);
        throw err;
      }
      // TODO(security): a create whose answer was lost may or may not
      // have placed a call; it is kept as placed, and a call that never
      // reports back leaves this callback waiting until the guard lapses.
      await redis.hset(record, 'state', 'unknown');
      log.warn({ err }, 'callback call may or may not have been placed');
      return;
    }
    await Promise.all([
      redis.hset(record, 'state', 'placed', 'sid', sid),
      redis.zrem(callbackKeys.line, callbackId),
    ]);
    await service.record(customerId, conversationId, callbackId, ['placed']);
    log.info({ callSid: sid }, 'callback placed');
  }

  /** Ends a callback that will not be placed, and says why. */
  private async giveUp(
    data: CallbackJob,
    status: 'cancelled' | 'failed',
    notice: string,
  ): Promise<void> {
    const { service } = this.options;
    const { customerId, conversationId, callbackId } = data;
    await service.finish(customerId, conversationId, callbackId);
    await service.record(customerId, conversationId, callbackId, [status]);
    await service.tell(customerId, conversationId, notice);
  }
}
