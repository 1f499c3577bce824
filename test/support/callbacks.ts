import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { CostLimits } from '../../src/channels/cost-limits';
import { loadConfig, type Config } from '../../src/config';
import type { TimelineEntry } from '../../src/context/events';
import type { ContextStore } from '../../src/context/store';
import {
  callbackQueue,
  type CallbackJob,
} from '../../src/escalation/callback-line';
import type { StatusWebhook } from '../../src/escalation/callback-outcomes';
import type { CustomerNotifier } from '../../src/escalation/callback-requests';
import {
  setUpCallbacks,
  type Callbacks,
  type CallbackSetup,
} from '../../src/escalation/callback-setup';
import { aCustomer } from './factories';
import type { ApiRequest, CallOutcome } from './jambonz-api';
import { silentLogger } from './redis';

/**
 * Callbacks without the HTTP server: the service, its worker and the
 * outcomes, on a test's redis-server, placing calls at the jambonz stand-in.
 */

export const lineNumber = '+16285550199';

export function callbackConfig(
  redisUrl: string,
  env: Record<string, string>,
): Config {
  return loadConfig({
    REDIS_URL: redisUrl,
    SMS_FROM_NUMBER: lineNumber,
    CALLBACK_CONCURRENCY: '1',
    ...env,
  });
}

/** A config with callback timings no environment variable allows. */
export function withTimings(
  config: Config,
  timings: { retryMs?: number; maxAttempts?: number },
): Config {
  return {
    ...config,
    channels: {
      ...config.channels,
      callbacks: { ...config.channels.callbacks, ...timings },
    },
  };
}

/** What the customer was told, per conversation. */
export class RecordingNotifier implements CustomerNotifier {
  readonly notices: { conversationId: string; text: string }[] = [];

  notify(_customer: string, conversationId: string, text: string) {
    this.notices.push({ conversationId, text });
    return Promise.resolve();
  }

  to(conversationId: string): string[] {
    return this.notices
      .filter((notice) => notice.conversationId === conversationId)
      .map((notice) => notice.text);
  }
}

export function callbacksOn(
  redis: Redis,
  store: ContextStore,
  config: Config,
  extra: Partial<CallbackSetup> = {},
): Callbacks {
  return setUpCallbacks({
    config,
    redis,
    store,
    costLimits: new CostLimits(redis, {
      sms: config.channels.sms.perNumberPerHour,
      call: config.channels.calls.perNumberPerHour,
    }),
    logger: silentLogger,
    publicBaseUrl: () => 'http://127.0.0.1:1',
    now: () => new Date(),
    ...extra,
  });
}

/** The test's own view of the queue, to see a job's state. */
export function queueOn(redis: Redis): {
  queue: Queue<CallbackJob>;
  close(): Promise<void>;
} {
  const connection = redis.duplicate({ maxRetriesPerRequest: null });
  const queue = callbackQueue(connection);
  return {
    queue,
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}

/** A customer with a verified phone and a chat conversation. */
export async function aChatCustomer(
  store: ContextStore,
  subject = 'your refund for order 1042',
  consent: Record<string, 'granted' | 'denied'> = {},
) {
  const { customer, phone } = await aCustomer(store, {
    name: 'Ana Silva',
    consent,
  });
  const conversation = await store.openConversation(customer.id, {
    subject,
    channel: 'chat',
  });
  return { customerId: customer.id, conversationId: conversation.id, phone };
}

/** The final status jambonz would post for a call the stand-in placed. */
export function finalStatus(
  created: ApiRequest,
  outcome: CallOutcome,
): StatusWebhook {
  return {
    call_sid: created.sid ?? '',
    direction: 'outbound',
    call_status: outcome === 'answered' ? 'completed' : outcome,
    duration: outcome === 'answered' ? 120 : 0,
    customerData: created.body.tag,
  };
}

export function callTo(phone: string) {
  return (request: ApiRequest) =>
    request.method === 'POST' &&
    request.resource === 'Calls' &&
    (request.body.to as { number?: string }).number === phone;
}

/** Polls until `check` holds; fails once the deadline has passed. */
export async function until(
  check: () => Promise<boolean> | boolean,
  deadlineMs = 10_000,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > end) {
      throw new Error('condition not met before the deadline');
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The callback statuses on a conversation's timeline, oldest first. */
export async function callbackStatuses(
  store: ContextStore,
  customerId: string,
  conversationId: string,
): Promise<string[]> {
  const card = await store.cardById(customerId);
  return (card?.timeline ?? [])
    .filter(
      (entry: TimelineEntry) =>
        entry.type === 'callback' && entry.conversationId === conversationId,
    )
    .map((entry) => (entry.type === 'callback' ? entry.status : ''))
    .reverse();
}
