import type { BaseLogger } from 'pino';
import { keys } from '../context/keys';
import type { RedisClient } from '../redis/connect';
import { tagOf, type CallbackTag } from './callback-dialer';
import { callbackKeys, type CallbackJob } from './callback-line';
import type { CallbackSource } from './callback-requests';
import type { CallbackService } from './callback-service';
import { gaveUpNotice } from './callback-words';
import { isUntitled } from '../context/conversations';

/**
 * How a placed callback went, from its call's webhooks. jambonz hands the
 * call's tag back in each (jambonz docs, "Create a call": tag; "Webhooks":
 * customerData), and bridgeline takes them only from signed webhooks, so
 * the tag names the attempt. The call hook means the customer answered:
 * it runs the callback flow in the callback's conversation. A final status
 * of no-answer, busy or failed books the next attempt, later each time,
 * until `maxAttempts`; then the customer hears it on their digital channel.
 */

export interface CallbackOutcomesOptions {
  redis: RedisClient;
  service: CallbackService;
  /** CALLBACK_FLOW_ID */
  flowId: string;
  maxAttempts: number;
  /** The first retry's delay; each later one doubles it. */
  retryMs: number;
}

/** A webhook body as the voice webhooks validated it. */
export interface CallWebhook {
  call_sid: string;
  direction?: string | null;
  [field: string]: unknown;
}

export interface StatusWebhook extends CallWebhook {
  call_status: string;
  duration?: number | null;
}

/** What the call hook runs for an answered callback. */
export interface PlacedCall {
  flowId: string;
  customerId: string;
  conversationId: string;
  /** Flow variables the call starts with. */
  vars: Record<string, string>;
  /** When the customer asked (ms): they keep that place in the queue. */
  queuedSince?: number;
}

type CallLog = Pick<BaseLogger, 'info' | 'warn'>;

interface AttemptRecord {
  tag: CallbackTag;
  key: string;
  conversationId: string;
  source: CallbackSource;
  joinedAt: number;
}

/** How the callback flow names the channel the customer asked on. */
const channelWords: Record<CallbackSource, string> = {
  chat: 'chat',
  sms: 'text message',
  email: 'email',
  ivr: 'call',
};

export class CallbackOutcomes {
  constructor(private readonly options: CallbackOutcomesOptions) {}

  async answered(
    payload: CallWebhook,
    log: CallLog,
  ): Promise<PlacedCall | undefined> {
    if (payload.direction !== 'outbound') {
      return undefined;
    }
    const found = await this.attemptOf(payload, log);
    if (!found) {
      return undefined;
    }
    const { redis, service, flowId } = this.options;
    const { tag, key, conversationId, source, joinedAt } = found;
    const [subject, first] = await Promise.all([
      redis.hget(keys.conversation(tag.customer, conversationId), 'subject'),
      redis.hsetnx(key, 'outcome', 'answered'),
    ]);
    if (first === 1) {
      await service.finish(
        tag.customer,
        conversationId,
        tag.bridgelineCallback,
      );
      await service.record(
        tag.customer,
        conversationId,
        tag.bridgelineCallback,
        ['answered'],
      );
    }
    log.info({ callbackId: tag.bridgelineCallback }, 'callback answered');
    return {
      flowId,
      customerId: tag.customer,
      conversationId,
      queuedSince: joinedAt,
      vars: {
        callbackChannel: channelWords[source],
        ...(subject === null || isUntitled(subject)
          ? {}
          : { callbackSubject: subject }),
      },
    };
  }

  async ended(payload: StatusWebhook, log: CallLog): Promise<void> {
    const found = await this.attemptOf(payload, log);
    if (!found) {
      return;
    }
    const { redis, service } = this.options;
    const { tag, key, conversationId } = found;
    const status = payload.call_status;
    // A repeated delivery of the final status writes nothing.
    if ((await redis.hsetnx(key, 'ended', status)) === 0) {
      return;
    }
    const callbackId = tag.bridgelineCallback;
    if (status === 'completed') {
      if (typeof payload.duration === 'number' && payload.duration > 0) {
        await service.handled(payload.duration * 1000);
      }
      if ((await redis.hsetnx(key, 'outcome', 'answered')) === 1) {
        await service.finish(tag.customer, conversationId, callbackId);
        await service.record(tag.customer, conversationId, callbackId, [
          'answered',
        ]);
      }
      return;
    }
    await redis.hsetnx(key, 'outcome', status);
    await service.record(tag.customer, conversationId, callbackId, [
      'no-answer',
    ]);
    log.info({ callbackId, status, attempt: tag.attempt }, 'callback missed');
    await this.next(found);
  }

  /** Another attempt, later, or the notice that there will be none. */
  private async next(found: AttemptRecord): Promise<void> {
    const { service, maxAttempts, retryMs } = this.options;
    const { tag, conversationId, source, joinedAt } = found;
    if (tag.attempt >= maxAttempts) {
      await service.finish(
        tag.customer,
        conversationId,
        tag.bridgelineCallback,
      );
      await service.record(
        tag.customer,
        conversationId,
        tag.bridgelineCallback,
        ['failed'],
      );
      await service.tell(
        tag.customer,
        conversationId,
        gaveUpNotice(tag.attempt),
      );
      return;
    }
    const job: CallbackJob = {
      callbackId: tag.bridgelineCallback,
      customerId: tag.customer,
      conversationId,
      source,
      attempt: tag.attempt + 1,
      // They keep their place: the retry is ordered by when they joined.
      joinedAt,
    };
    await service.enqueue(job, retryMs * 2 ** (tag.attempt - 1));
  }

  /**
   * The attempt a webhook's tag names, if bridgeline placed it: its record
   * exists and holds this call's sid, or no sid yet (the worker that
   * placed it stopped before it could write the sid; this is the call).
   */
  private async attemptOf(
    payload: CallWebhook,
    log: CallLog,
  ): Promise<AttemptRecord | undefined> {
    const tag = tagOf(payload);
    if (!tag) {
      return undefined;
    }
    const { redis } = this.options;
    const key = callbackKeys.attempt(
      tag.customer,
      tag.bridgelineCallback,
      tag.attempt,
    );
    const [sid, conversationId, source, joinedAt] = await redis.hmget(
      key,
      'sid',
      'conversation',
      'source',
      'joinedAt',
    );
    if (!conversationId || (sid !== null && sid !== payload.call_sid)) {
      log.warn('a webhook names a callback attempt bridgeline did not place');
      return undefined;
    }
    if (sid === null) {
      await redis.hset(key, 'sid', payload.call_sid);
    }
    return {
      tag,
      key,
      conversationId,
      source: (source ?? 'chat') as CallbackSource,
      joinedAt: Number(joinedAt ?? Date.now()),
    };
  }
}
