import type { Redis } from 'ioredis';
import { keys } from '../../src/context/keys';
import type { ContextStore } from '../../src/context/store';
import type { Logger } from '../../src/log';
import { seededRandom } from './fixtures';
import { fixedRate, fullSpeed, round } from './load';
import { probe } from './observe';
import { emit, summarize, warnIfDisturbed } from './report';

/**
 * The context-card lookup by phone, measured on the same data and
 * connection: at the rate a busy contact center offers, then flat out next
 * to the cheapest command there is, a GET, to tell our cost from the
 * client's and the server's.
 *
 * The throughput target compares like with like as the plainest loop: one
 * lookup at a time, each awaited before the next, against one GET at a
 * time. With 32 in flight the client's CPU is what runs out, and the lines
 * show how the card's parse and the number's normalising weigh against a
 * GET's few bytes; they carry the ratio, not the target.
 */

export interface LookupPlan {
  offeredRate: number;
  /** Requests in flight in the closed loops, card and GET alike. */
  concurrency: number;
  phaseMs: number;
  warmupMs: number;
  p99TargetMs: number;
}

export interface Seeded {
  ids: string[];
  /** E.164, as a SIP edge hands a caller id to the lookup. */
  phones: string[];
}

export async function measureLookups(
  store: ContextStore,
  redis: Redis,
  redisPid: number,
  seeded: Seeded,
  plan: LookupPlan,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const { offeredRate, concurrency, phaseMs, warmupMs } = plan;

  // Random seeded customers, the same sequence every run. The number is
  // normalised on every lookup: the SIP edge does so on the hot path too.
  const pick = seededRandom(42);
  const lookup = async () => {
    const index = Math.floor(pick() * seeded.ids.length);
    const phone = seeded.phones[index] ?? '';
    const ref = store.normalizeIdentity('phone', phone);
    const card = await store.cardByIdentity(ref);
    if (card === undefined || card.customer.id !== seeded.ids[index]) {
      throw new Error('the card lookup did not find the seeded customer');
    }
  };

  // What the HTTP API and a screen-pop do: the ready JSON, sent on as it
  // is, with no parse.
  const lookupJson = async () => {
    const index = Math.floor(pick() * seeded.ids.length);
    const ref = store.normalizeIdentity('phone', seeded.phones[index] ?? '');
    const json = await store.cardJsonByIdentity(ref);
    if (json?.includes(`"id":"${seeded.ids[index] ?? ''}"`) !== true) {
      throw new Error('the card lookup did not find the seeded customer');
    }
  };

  // JIT, script cache and connection warm, as in a server that has run a
  // while; nothing is recorded.
  logger.info({ warmupMs, concurrency }, 'warming up card lookups');
  await fullSpeed(lookup, concurrency, warmupMs, signal);

  logger.info({ offeredRate, phaseMs }, 'card lookups at a fixed rate');
  let phase = await probe(redis, redisPid);
  const fixed = await fixedRate(lookup, offeredRate, phaseMs, signal);
  const fixedLine = await summarize('card_by_phone.fixed_rate', fixed, phase);
  warnIfDisturbed(logger, fixedLine.name, fixedLine.cpu_cores);
  emit({
    ...fixedLine,
    offered_rate: offeredRate,
    target: `p99_ms <= ${plan.p99TargetMs} at ${offeredRate}/s offered`,
    meets_target: fixed.errors === 0 && fixedLine.p99_ms <= plan.p99TargetMs,
  });

  const getKey = keys.identity('phone', seeded.phones[0] ?? '');
  const get = () => redis.get(getKey);
  logger.info({ concurrency, phaseMs }, 'bare GET loop');
  phase = await probe(redis, redisPid);
  const baseline = await fullSpeed(get, concurrency, phaseMs, signal);
  const baselineLine = await summarize('redis_get.baseline', baseline, phase);
  warnIfDisturbed(logger, baselineLine.name, baselineLine.cpu_cores);
  emit({ ...baselineLine, concurrency });

  logger.info({ concurrency, phaseMs }, 'card lookups at full speed');
  phase = await probe(redis, redisPid);
  const full = await fullSpeed(lookup, concurrency, phaseMs, signal);
  const fullLine = await summarize('card_by_phone.full_speed', full, phase);
  warnIfDisturbed(logger, fullLine.name, fullLine.cpu_cores);
  emit({
    ...fullLine,
    concurrency,
    baseline_ops_per_s: baselineLine.ops_per_s,
    ratio_to_baseline: round(fullLine.ops_per_s / baselineLine.ops_per_s, 3),
  });

  logger.info({ concurrency, phaseMs }, 'card JSON lookups at full speed');
  phase = await probe(redis, redisPid);
  const json = await fullSpeed(lookupJson, concurrency, phaseMs, signal);
  const jsonLine = await summarize(
    'card_json_by_phone.full_speed',
    json,
    phase,
  );
  emit({
    ...jsonLine,
    concurrency,
    baseline_ops_per_s: baselineLine.ops_per_s,
    ratio_to_baseline: round(jsonLine.ops_per_s / baselineLine.ops_per_s, 3),
  });

  // The target's comparison: one request at a time, each awaited before the
  // next, for the GET and for the card.
  logger.info({ phaseMs }, 'one-at-a-time loops');
  phase = await probe(redis, redisPid);
  const getLoop = await fullSpeed(get, 1, phaseMs, signal);
  const getLoopLine = await summarize('redis_get.loop', getLoop, phase);
  emit({ ...getLoopLine, concurrency: 1 });
  phase = await probe(redis, redisPid);
  const cardLoop = await fullSpeed(lookup, 1, phaseMs, signal);
  const cardLoopLine = await summarize('card_by_phone.loop', cardLoop, phase);
  emit({
    ...cardLoopLine,
    concurrency: 1,
    baseline_ops_per_s: getLoopLine.ops_per_s,
    ratio_to_baseline: round(cardLoopLine.ops_per_s / getLoopLine.ops_per_s, 3),
    target: 'ops_per_s >= baseline_ops_per_s / 3',
    meets_target:
      cardLoop.errors === 0 &&
      cardLoopLine.ops_per_s * 3 >= getLoopLine.ops_per_s,
  });
}
