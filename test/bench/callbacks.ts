import { CostLimits } from '../../src/channels/cost-limits';
import { loadConfig } from '../../src/config';
import { ContextStore } from '../../src/context/store';
import type { CallbackRequests } from '../../src/escalation/callback-requests';
import { setUpCallbacks } from '../../src/escalation/callback-setup';
import type { Logger } from '../../src/log';
import { aCustomer } from '../support/factories';
import type { BenchTarget } from './digital';
import { LatencyLog, type RunResult } from './load';
import { probe } from './observe';
import { emit, summarize } from './report';

/**
 * Callback scheduling: customers with an open chat each ask for a call
 * back, a few requests in flight at once, as a busy afternoon of "call me"
 * buttons would. A request is timed from the call to its receipt, which
 * comes once the job is in BullMQ with the customer's place in line and
 * the request is on the timeline. No worker runs here: placing calls is
 * jambonz's time, not ours. The customer notice is skipped (it is an SMS
 * through the jambonz REST API, measured by nothing of ours).
 */

const plan = {
  requests: 3_000,
  warmup: 300,
  inFlight: 16,
  targetPerSecond: 500,
};

export async function measureCallbacks(
  target: BenchTarget,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const config = loadConfig({
    REDIS_URL: target.redisUrl,
    DATA_DIR: target.dataDir,
    // Callbacks are offered only where calls can be placed; no call is.
    JAMBONZ_API_BASE_URL: 'http://127.0.0.1:9',
    JAMBONZ_ACCOUNT_SID: 'bench-account',
    JAMBONZ_API_KEY: 'bench-key',
    SMS_FROM_NUMBER: '+16285550100',
  });
  const store = new ContextStore(target.redis, {
    phoneDefaultRegion: 'US',
    timelineMaxAgeMs: 365 * 24 * 60 * 60 * 1000,
    card: { events: 20, conversations: 10 },
  });
  const callbacks = setUpCallbacks({
    config,
    redis: target.redis,
    store,
    costLimits: new CostLimits(target.redis, { sms: 1000, call: 1000 }),
    logger: logger.child({ phase: 'callbacks' }, { level: 'warn' }),
    publicBaseUrl: () => 'http://127.0.0.1:1',
    now: () => new Date(),
    notifier: { notify: () => Promise.resolve() },
    work: false,
  });
  await callbacks.start();
  try {
    const asks = await chatCustomers(store, plan.warmup + plan.requests);
    await request(callbacks.service, asks.splice(0, plan.warmup), signal);
    logger.info({ requests: plan.warmup }, 'callback warm-up scheduled');

    const phase = await probe(target.redis, target.redisPid);
    const result = await request(callbacks.service, asks, signal);
    const line = await summarize('callback_schedule', result, phase);
    emit({
      ...line,
      requests: plan.requests,
      in_flight: plan.inFlight,
      via: 'CallbackService.request: a BullMQ job and a timeline event each',
      target: `ops_per_s >= ${plan.targetPerSecond}`,
      meets_target:
        line.ops_per_s >= plan.targetPerSecond && result.errors === 0,
    });
  } finally {
    await callbacks.close();
  }
}

interface Ask {
  customerId: string;
  conversationId: string;
}

/** Customers, each with a chat conversation to be called back about. */
async function chatCustomers(
  store: ContextStore,
  count: number,
): Promise<Ask[]> {
  const asks: Ask[] = [];
  for (let i = 0; i < count; i += 1) {
    const { customer } = await aCustomer(store, { name: `Bench ${i}` });
    const conversation = await store.openConversation(customer.id, {
      subject: `order ${i}`,
      channel: 'chat',
    });
    asks.push({ customerId: customer.id, conversationId: conversation.id });
  }
  return asks;
}

/** Asks for each callback, `plan.inFlight` at a time. */
async function request(
  service: CallbackRequests,
  asks: Ask[],
  signal: AbortSignal,
): Promise<RunResult> {
  const latencies = new LatencyLog();
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const start = performance.now();
  const lane = async () => {
    while (next < asks.length) {
      signal.throwIfAborted();
      const ask = asks[next++];
      if (!ask) {
        return;
      }
      const began = performance.now();
      const receipt = await service.request({
        ...ask,
        source: 'chat',
        requestKey: `bench-${ask.conversationId}`,
      });
      if (receipt.status === 'scheduled') {
        latencies.record(performance.now() - began);
      } else {
        errors += 1;
        firstError ??= JSON.stringify(receipt);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.inFlight }, lane));
  const elapsedMs = performance.now() - start;
  return { latencies, elapsedMs, errors, firstError };
}
