import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from '../../src/log';
import type { AppStart } from './app-server';
import { round } from './load';
import type { Seeded } from './measure';
import { probe, settleAof } from './observe';
import { emit, outcomeLine, warnIfDisturbed } from './report';
import { ServerChild } from './server-child';
import {
  SipLoadClient,
  type SipPhaseSpec,
  type SipTargetName,
} from './sip-client';
import type { ConstantStart } from './sip-constant';

/**
 * INVITE to routing decision: real SIP from seeded callers goes through the
 * drachtio-server test peer to bridgeline's SIP edge, which checks it, finds
 * the caller's context card in Redis and proxies the call to the IVR with
 * the context headers. Next to it, in the same run, the same peer feeds an
 * application that proxies every INVITE to a constant: what drachtio-srf,
 * the wire and the peer cost, which the edge's figures include too. The
 * edge, the constant app and the peers each run in a process of their own.
 */

export interface SipPlan {
  /** INVITEs in flight in the closed loops, constant app and edge alike. */
  concurrency: number;
  offeredRate: number;
  phaseMs: number;
  warmupMs: number;
  p99TargetMs: number;
}

export interface SipTarget {
  redisUrl: string;
  redisPid: number;
  dataDir: string;
  seeded: Seeded;
}

const ivrUri = 'sip:ivr@jambonz.example.com';

export async function measureSip(
  redis: Redis,
  target: SipTarget,
  plan: SipPlan,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const secret = randomBytes(24).toString('hex');
  const { client, ports } = await SipLoadClient.start(
    { secret, ivrUri, seeded: target.seeded },
    signal,
  );
  const edge = new ServerChild<AppStart>(
    path.join(__dirname, 'app-server.ts'),
    'the SIP edge',
    signal,
  );
  const constant = new ServerChild<ConstantStart>(
    path.join(__dirname, 'sip-constant.ts'),
    'the constant SIP app',
    signal,
  );
  try {
    await edge.start({ env: edgeEnv(ports.edge, secret, target) });
    await constant.start({
      port: ports.constant,
      secret,
      uri: ivrUri,
      headers: { 'X-Bridgeline-Customer': 'constant' },
    });
    const servers = { edge, constant };
    const run = {
      client,
      servers,
      redis,
      redisPid: target.redisPid,
      logger,
      signal,
    };
    await measurePhases(run, plan);
  } finally {
    // The apps first, so that neither sees its drachtio-server go away.
    await constant.stop();
    await edge.stop();
    client.close();
  }
}

function edgeEnv(
  port: number,
  secret: string,
  target: SipTarget,
): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: '0',
    REDIS_URL: target.redisUrl,
    JAMBONZ_WEBHOOK_SECRET: randomBytes(24).toString('hex'),
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN: randomBytes(24).toString('hex'),
    DATA_DIR: path.join(target.dataDir, 'bridgeline-sip'),
    DRACHTIO_HOST: '127.0.0.1',
    DRACHTIO_PORT: String(port),
    DRACHTIO_SECRET: secret,
    SIP_IVR_URI: ivrUri,
    SIP_ROUTING_MODE: 'proxy',
    // All calls come from four trunks: limits far above what they offer.
    SIP_RATE_LIMIT: '100000',
    SIP_RATE_WINDOW_MS: '1000',
    SIP_MAX_CALLS_IN_SETUP: '10000',
  };
}

interface Run {
  client: SipLoadClient;
  servers: Record<
    SipTargetName,
    Pick<ServerChild<object>, 'usage' | 'profilePhase'>
  >;
  redis: Redis;
  redisPid: number;
  logger: Logger;
  signal: AbortSignal;
}

async function measurePhases(run: Run, plan: SipPlan): Promise<void> {
  const { concurrency, offeredRate, phaseMs, warmupMs, p99TargetMs } = plan;
  const full = { kind: 'full' as const, concurrency };

  // JIT, drachtio-srf's parser and the Redis connection warm; not recorded.
  run.logger.info({ warmupMs, concurrency }, 'warming up SIP INVITEs');
  await run.client.run({
    target: 'constant',
    load: full,
    durationMs: warmupMs,
  });
  await run.client.run({ target: 'edge', load: full, durationMs: warmupMs });

  run.logger.info({ concurrency, phaseMs }, 'constant SIP app flat out');
  const baseline = await phase(run, 'sip_invite.baseline', {
    target: 'constant',
    load: full,
    durationMs: phaseMs,
  });
  emit({ ...baseline, concurrency });

  // The floor the edge's fixed-rate latencies stand on: the same open loop
  // against the constant app, through the same peer and wire.
  run.logger.info({ offeredRate, phaseMs }, 'constant SIP app at a fixed rate');
  const floor = await phase(run, 'sip_invite.baseline_fixed_rate', {
    target: 'constant',
    load: { kind: 'fixed', rate: offeredRate },
    durationMs: phaseMs,
  });
  emit({ ...floor, offered_rate: offeredRate });

  run.logger.info({ concurrency, phaseMs }, 'SIP edge flat out');
  const fast = await phase(run, 'sip_invite.full_speed', {
    target: 'edge',
    load: full,
    durationMs: phaseMs,
  });
  emit({
    ...fast,
    concurrency,
    baseline_ops_per_s: baseline.ops_per_s,
    ratio_to_baseline: round(fast.ops_per_s / baseline.ops_per_s, 3),
    target: `ops_per_s >= ${offeredRate}`,
    meets_target: fast.errors === 0 && fast.ops_per_s >= offeredRate,
  });

  run.logger.info({ offeredRate, phaseMs }, 'SIP edge at a fixed rate');
  const fixed = await phase(run, 'sip_invite.fixed_rate', {
    target: 'edge',
    load: { kind: 'fixed', rate: offeredRate },
    durationMs: phaseMs,
  });
  // The open loop's time runs until its last answer, so a server that keeps
  // up still shows a hair under the offered rate; one that falls behind
  // stretches the phase by its backlog and misses by far more than 1 %.
  const sustained = Math.floor(offeredRate * 0.99);
  emit({
    ...fixed,
    offered_rate: offeredRate,
    target: `ops_per_s >= ${sustained} and p99_ms <= ${p99TargetMs}`,
    meets_target:
      fixed.errors === 0 &&
      fixed.ops_per_s >= sustained &&
      fixed.p99_ms <= p99TargetMs,
  });
}

/**
 * One measured phase; `node` is the process of the app the phase targets,
 * its GC pauses the ones reported, and the peers' process is counted apart.
 */
async function phase(run: Run, name: string, spec: SipPhaseSpec) {
  // The webhook phases before may have left an AOF rewrite running.
  await settleAof(run.redis, run.signal);
  const server = run.servers[spec.target];
  const watch = await probe(run.redis, run.redisPid);
  const before = await server.usage();
  const profile = await server.profilePhase(name);
  const outcome = await run.client.run(spec);
  // Read before the profile is written, which is not the phase's work.
  const after = await server.usage();
  await profile.stop();
  const cpu = await watch.cpu();
  const share = (ms: number) => round(ms / outcome.elapsedMs, 2);
  const node = share(after.cpuMs - before.cpuMs);
  const peers = share(outcome.clientCpuMs);
  const cores = {
    node,
    peers,
    redis: cpu.redis,
    irq: cpu.irq,
    // The bench's own process only waits for the phase to end.
    other: round(Math.max(0, cpu.node + cpu.other - node - peers), 2),
  };
  warnIfDisturbed(run.logger, name, cores);
  return outcomeLine(name, outcome, cores, watch, after.gc);
}
