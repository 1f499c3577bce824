import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { startBridgeline } from '../../src/app';
import { loadConfig } from '../../src/config';
import { localTime } from '../../src/ivr/hours';
import type { Logger } from '../../src/log';
import { LoadClient, type PhaseSpec } from './client';
import { round } from './load';
import { probe, settleAof, withoutAofRewrites } from './observe';
import { profilePhase } from './profile';
import { emit, outcomeLine, warnIfDisturbed } from './report';

/**
 * POST /jambonz/call, the webhook that answers a new call, measured over
 * real sockets on the seeded data: flat out next to a bare fastify route in
 * the same process, then at the rate a busy line offers. Each call does
 * what production does: verify the signature, find the caller's card, open
 * or continue their conversation, run the main flow, store the call state
 * and append the steps to the timeline.
 */

export interface WebhookPlan {
  /** Connections of the closed loops, bare route and webhook alike. */
  connections: number;
  offeredRate: number;
  /** Enough that a stall queues in the client, timed, not in a backlog. */
  fixedRateConnections: number;
  phaseMs: number;
  warmupMs: number;
  p99TargetMs: number;
  /** The webhook must keep at least this share of the bare throughput. */
  minRatioToBaseline: number;
}

export interface WebhookTarget {
  redisUrl: string;
  redisPid: number;
  /** Where bridgeline may keep recordings; removed with the bench's data. */
  dataDir: string;
  /** Seeded customers 0..customers-1 call in. */
  customers: number;
}

const callPath = '/jambonz/call';

export async function measureWebhook(
  redis: Redis,
  target: WebhookTarget,
  plan: WebhookPlan,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const secret = randomBytes(24).toString('hex');
  const app = await startBridgeline(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: '0',
      REDIS_URL: target.redisUrl,
      JAMBONZ_WEBHOOK_SECRET: secret,
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN: randomBytes(24).toString('hex'),
      DATA_DIR: path.join(target.dataDir, 'bridgeline'),
    }),
    logger.child({ component: 'bridgeline' }, { level: 'warn' }),
    { now: businessHoursClock() },
  );
  let bare: FastifyInstance | undefined;
  let client: LoadClient | undefined;
  try {
    bare = await startBareRoute();
    client = await LoadClient.start(secret, target.customers, signal);
    const run: Run = {
      client,
      redis,
      redisPid: target.redisPid,
      logger,
      signal,
    };
    const origins = {
      bare: originOf(bare),
      call: `http://127.0.0.1:${app.port}`,
    };
    await withoutAofRewrites(redis, () => measurePhases(run, origins, plan));
  } finally {
    client?.close();
    await bare?.close();
    await app.close();
  }
}

interface Run {
  client: LoadClient;
  redis: Redis;
  redisPid: number;
  logger: Logger;
  signal: AbortSignal;
}

async function measurePhases(
  run: Run,
  origins: { bare: string; call: string },
  plan: WebhookPlan,
): Promise<void> {
  const { connections, offeredRate, p99TargetMs } = plan;
  const full = { kind: 'full' as const, connections };
  const common = {
    path: callPath,
    warmupMs: plan.warmupMs,
    phaseMs: plan.phaseMs,
  };

  run.logger.info({ connections }, 'bare route flat out');
  const baseline = await phase(run, 'bare_route.baseline', {
    ...common,
    origin: origins.bare,
    check: 'verbs',
    load: full,
    unique: false,
  });
  emit({ ...baseline.line, connections });

  // The floor the webhook's fixed-rate latencies stand on: the same open
  // loop and client against the bare route.
  run.logger.info({ offeredRate }, 'bare route at a fixed rate');
  const floor = await phase(run, 'bare_route.fixed_rate', {
    ...common,
    origin: origins.bare,
    check: 'verbs',
    load: {
      kind: 'fixed',
      rate: offeredRate,
      connections: plan.fixedRateConnections,
    },
    unique: false,
  });
  emit({
    ...floor.line,
    offered_rate: offeredRate,
    connections: plan.fixedRateConnections,
  });

  run.logger.info({ connections }, 'call webhook flat out');
  const fullSpeed = await phase(run, 'jambonz_call.full_speed', {
    ...common,
    origin: origins.call,
    check: 'call',
    load: full,
    unique: true,
  });
  const ratio = fullSpeed.line.ops_per_s / baseline.line.ops_per_s;
  emit({
    ...fullSpeed.line,
    connections,
    call_sids_reused: fullSpeed.outcome.reused,
    baseline_ops_per_s: baseline.line.ops_per_s,
    ratio_to_baseline: round(ratio, 3),
    target: `ops_per_s >= baseline_ops_per_s * ${plan.minRatioToBaseline}`,
    meets_target:
      fullSpeed.outcome.errors === 0 && ratio >= plan.minRatioToBaseline,
  });

  run.logger.info({ offeredRate }, 'call webhook at a fixed rate');
  const fixedConnections = plan.fixedRateConnections;
  const fixed = await phase(run, 'jambonz_call.fixed_rate', {
    ...common,
    origin: origins.call,
    check: 'call',
    load: { kind: 'fixed', rate: offeredRate, connections: fixedConnections },
    unique: true,
  });
  emit({
    ...fixed.line,
    offered_rate: offeredRate,
    connections: fixedConnections,
    call_sids_reused: fixed.outcome.reused,
    target: `p99_ms <= ${p99TargetMs} at ${offeredRate}/s offered`,
    meets_target:
      fixed.outcome.errors === 0 && fixed.line.p99_ms <= p99TargetMs,
  });
}

/** One measured phase: the client warms up, then the probe watches it run. */
async function phase(run: Run, name: string, spec: PhaseSpec) {
  // The last phase's writes may have started a rewrite of the AOF.
  await settleAof(run.redis, run.signal);
  await run.client.prepare(spec);
  const watch = await probe(run.redis, run.redisPid);
  const profile = await profilePhase(name);
  const outcome = await run.client.run();
  const cpu = await watch.cpu();
  // `node` is the server's process here; the client is one apart.
  const client = round(outcome.clientCpuMs / outcome.elapsedMs, 2);
  const cores = {
    node: cpu.node,
    client,
    redis: cpu.redis,
    irq: cpu.irq,
    other: round(Math.max(0, cpu.other - client), 2),
  };
  warnIfDisturbed(run.logger, name, cores);
  const line = await outcomeLine(name, outcome, cores, watch);
  await profile.stop();
  return { outcome, line };
}

// What a bare route answers: a constant the size of a short greeting.
const bareVerbs = [
  { verb: 'say', text: 'Hi there, thanks for calling Bridgeline.' },
  {
    verb: 'gather',
    input: ['digits'],
    numDigits: 1,
    actionHook: '/jambonz/action/main-menu',
    say: { text: 'For billing, press 1. For support, press 2.' },
  },
];

/**
 * The cheapest route fastify serves for the same request: it reads and
 * parses the same JSON body, then returns a constant. The gap between it
 * and the webhook is bridgeline's own work.
 */
async function startBareRoute(): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.post(callPath, () => bareVerbs);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

function originOf(app: FastifyInstance): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('the bare route is not bound to a TCP port');
  }
  return `http://127.0.0.1:${address.port}`;
}

/**
 * The real clock moved to the next Wednesday at 15:00 in New York, the main
 * flow's zone: every call finds the line open and takes the path a caller
 * mostly takes. Later than now, so the seeded history lies in the past; and
 * it runs, so time passes between calls as in production, where a frozen
 * clock would stamp every call and event with one instant.
 */
function businessHoursClock(): () => Date {
  const hourMs = 60 * 60 * 1000;
  let at = Math.ceil(Date.now() / hourMs) * hourMs;
  for (let hours = 0; hours <= 8 * 24; hours++, at += hourMs) {
    const local = localTime(new Date(at), 'America/New_York');
    if (local?.weekday === 'wed' && local.minutes === 15 * 60) {
      const offset = at - Date.now();
      return () => new Date(Date.now() + offset);
    }
  }
  throw new Error('no Wednesday 15:00 in New York within eight days');
}
