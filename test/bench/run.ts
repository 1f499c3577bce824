import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { keys } from '../../src/context/keys';
import { ContextStore } from '../../src/context/store';
import { createRedisClient, waitForReady } from '../../src/redis/connect';
import { EmbeddedRedis } from '../../src/redis/embedded';
import type { Logger } from '../../src/log';
import { calibrate } from './calibrate';
import { round } from './load';
import { measureLookups, type LookupPlan, type Seeded } from './measure';
import { info, probe, settleAof, usedMemory } from './observe';
import { emit, warnIfDisturbed } from './report';
import { seedCustomers, seedTimelines, type SeedPlan } from './seed';
import { measureSip, type SipPlan } from './sip';
import { digitalPhases } from './digital';
import { measureWebhook, type WebhookPlan } from './webhook';

/**
 * `npm run bench`: seeds a real redis-server with a contact center's worth of
 * customers and history, then measures the context-card lookup by phone, the
 * first thing bridgeline does when a call comes in, then the call webhook
 * that lookup serves, over HTTP, and the SIP edge's routing of an INVITE,
 * on the same data. Results go to stdout as one JSON object per line;
 * progress goes to stderr.
 *
 * BENCH_CUSTOMERS scales the data down for a quick smoke run.
 * BENCH_PHASES=card,webhook,sip,<digital phase>... runs only those.
 * BENCH_CPU_PROFILE=<folder> profiles the server in each webhook and SIP
 * phase.
 */

const plan: SeedPlan = {
  customers: positiveInteger(process.env.BENCH_CUSTOMERS, 100_000),
  eventsPerCustomer: 50,
  customerConcurrency: 256,
  timelineConcurrency: 16,
};
const lookups: LookupPlan = {
  offeredRate: 2_000,
  concurrency: 32,
  phaseMs: 10_000,
  warmupMs: 3_000,
  p99TargetMs: 2,
};
const webhook: WebhookPlan = {
  connections: 32,
  offeredRate: 1_000,
  fixedRateConnections: 64,
  phaseMs: 10_000,
  warmupMs: 3_000,
  p99TargetMs: 20,
  minRatioToBaseline: 0.5,
};
const sip: SipPlan = {
  concurrency: 32,
  offeredRate: 2_000,
  phaseMs: 10_000,
  warmupMs: 2_000,
  p99TargetMs: 5,
};
// Generous for two cores; a bench that hangs must still end and clean up.
const watchdogMs = 20 * 60 * 1000;
const seedTargetS = 180;

async function main(): Promise<void> {
  const logger = pino({ base: { service: 'bench' } }, pino.destination(2));
  // Loops check the signal between requests; the race below also ends a
  // wait on a request that never comes back, so cleanup runs either way.
  const controller = new AbortController();
  let stop: (err: Error) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, reject) => {
    stop = reject;
  });
  stopped.catch(() => undefined);
  const abort = (reason: string) => {
    const err = new Error(reason);
    controller.abort(err);
    stop(err);
  };
  process.once('SIGINT', () => {
    abort('interrupted');
  });
  process.once('SIGTERM', () => {
    abort('terminated');
  });
  const watchdog = setTimeout(() => {
    abort('bench ran too long');
  }, watchdogMs);

  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bridgeline-bench-'));
  let server: EmbeddedRedis | undefined;
  let client: Redis | undefined;
  try {
    server = await EmbeddedRedis.start({
      dataDir,
      logger: logger.child({ component: 'redis' }),
    });
    if (new URL(server.url).hostname !== '127.0.0.1' || !server.pid) {
      throw new Error('the bench only loads a redis-server on 127.0.0.1');
    }
    const connected = createRedisClient({
      mode: 'standalone',
      url: server.url,
    });
    if (!(connected instanceof Redis)) {
      throw new Error('a standalone target gives a plain Redis client');
    }
    client = connected;
    await waitForReady(client);
    emit(await machineLine('machine.before'));
    await Promise.race([
      bench(
        client,
        { redisUrl: server.url, redisPid: server.pid, dataDir },
        logger,
        controller.signal,
      ),
      stopped,
    ]);
    emit(await machineLine('machine.after'));
  } finally {
    clearTimeout(watchdog);
    client?.disconnect();
    await server?.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

async function bench(
  redis: Redis,
  target: { redisUrl: string; redisPid: number; dataDir: string },
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const chosen = choosePhases(process.env.BENCH_PHASES);
  if (['card', 'webhook', 'sip'].some((name) => chosen.has(name))) {
    await voicePhases(redis, target, chosen, logger, signal);
  }
  for (const [name, measure] of Object.entries(digitalPhases)) {
    if (chosen.has(name)) {
      await measure({ redis, ...target }, logger, signal);
    }
  }
}

/** Every phase by default; unknown names stop the bench before it starts. */
function choosePhases(list: string | undefined): Set<string> {
  const known = ['card', 'webhook', 'sip', ...Object.keys(digitalPhases)];
  if (list === undefined || list.trim() === '') {
    return new Set(known);
  }
  const names = list.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_PHASES: no phase ${unknown.join(', ')}; known: ${known.join(', ')}`,
    );
  }
  return new Set(names);
}

/** The call path on 100,000 seeded customers: card, webhook, SIP edge. */
async function voicePhases(
  redis: Redis,
  target: { redisUrl: string; redisPid: number; dataDir: string },
  chosen: Set<string>,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const { redisPid } = target;
  const store = new ContextStore(redis, {
    phoneDefaultRegion: 'US',
    timelineMaxAgeMs: 365 * 24 * 60 * 60 * 1000,
    card: { events: 20, conversations: 10 },
  });
  const seeded = await seed(store, redis, redisPid, logger, signal);
  if (chosen.has('card')) {
    await measureLookups(
      store,
      redis,
      redisPid,
      seeded,
      lookups,
      logger,
      signal,
    );
  }
  if (chosen.has('webhook')) {
    const customers = seeded.ids.length;
    await measureWebhook(
      redis,
      { ...target, customers },
      webhook,
      logger,
      signal,
    );
  }
  if (chosen.has('sip')) {
    await measureSip(redis, { ...target, seeded }, sip, logger, signal);
  }
}

/** Seeds, and reports how long it took and what the timelines weigh. */
async function seed(
  store: ContextStore,
  redis: Redis,
  redisPid: number,
  logger: Logger,
  signal: AbortSignal,
): Promise<Seeded> {
  logger.info({ plan }, 'seeding customers and conversations');
  const seedStart = performance.now();
  const customers = await seedCustomers(store, plan, logger, signal);
  const customersMs = performance.now() - seedStart;
  await settleAof(redis, signal);
  const memoryBefore = await usedMemory(redis);

  logger.info({ customersMs: Math.round(customersMs) }, 'seeding timelines');
  const eventsStart = performance.now();
  const phase = await probe(redis, redisPid);
  await seedTimelines(store, customers, plan, logger, signal);
  const eventsMs = performance.now() - eventsStart;
  const eventsCpu = await phase.cpu();
  warnIfDisturbed(logger, 'seed', eventsCpu);
  const eventsGc = phase.gc();
  const seedSeconds = round((performance.now() - seedStart) / 1000, 1);
  // The phases measured next must not share the cores with a rewrite.
  await settleAof(redis, signal);
  const memoryAfter = await usedMemory(redis);

  const lengths = await Promise.all(
    customers.map((customer) => redis.xlen(keys.timeline(customer.id))),
  );
  const events = lengths.reduce((sum, length) => sum + length, 0);
  const conversations = customers.reduce(
    (sum, customer) => sum + customer.conversationIds.length,
    0,
  );
  emit({
    name: 'seed',
    customers: customers.length,
    conversations,
    events,
    seconds: seedSeconds,
    customers_seconds: round(customersMs / 1000, 1),
    events_seconds: round(eventsMs / 1000, 1),
    ops_per_s: Math.round(events / (eventsMs / 1000)),
    p50_ms: null,
    p99_ms: null,
    via: 'store.upsertCustomer, store.openConversation, store.appendEvent',
    customer_concurrency: plan.customerConcurrency,
    timeline_concurrency: plan.timelineConcurrency,
    events_cpu_cores: eventsCpu,
    events_node_gc_pauses: eventsGc,
    target: `seconds <= ${seedTargetS}`,
    meets_target: seedSeconds <= seedTargetS,
  });
  const persistence = await info(redis, 'persistence');
  emit({
    name: 'redis.memory',
    ops_per_s: null,
    p50_ms: null,
    p99_ms: null,
    used_memory_bytes: memoryAfter,
    used_memory_before_events_bytes: memoryBefore,
    events,
    bytes_per_event: round((memoryAfter - memoryBefore) / events, 1),
    aof_bytes: Number(persistence.get('aof_current_size')),
  });

  // Only what the lookups need stays on the bench's heap: its size sets the
  // cost of every full GC, which the latencies measured would include.
  return {
    ids: customers.map((customer) => customer.id),
    phones: customers.map((customer) => customer.phone),
  };
}

/** A calibration in the lines' common shape; it measures no operation. */
async function machineLine(name: string) {
  return {
    name,
    ops_per_s: null,
    p50_ms: null,
    p99_ms: null,
    ...(await calibrate()),
  };
}

function positiveInteger(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') {
    return fallback;
  }
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`BENCH_CUSTOMERS must be a positive integer, not ${text}`);
  }
  return value;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const detail = err instanceof Error ? (err.stack ?? err.message) : err;
    process.stderr.write(`bench failed: ${String(detail)}\n`);
    process.exit(1);
  },
);
