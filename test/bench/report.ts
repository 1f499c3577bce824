import type { Logger } from '../../src/log';
import type { LatencySummary, RunResult } from './load';
import { round } from './load';
import type { GcPauses, PhaseProbe } from './observe';

/**
 * The bench's output: one JSON object per line on stdout, so that runs can
 * be kept, diffed and compared by a script. Progress goes to stderr.
 */

export function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** A measured phase as a result line: throughput, latencies, causes. */
export async function summarize(
  name: string,
  run: RunResult,
  phase: PhaseProbe,
) {
  const { latencies, ...rest } = run;
  return outcomeLine(
    name,
    { ...rest, latency: latencies.summary() },
    await phase.cpu(),
    phase,
  );
}

export interface Outcome {
  latency: LatencySummary;
  elapsedMs: number;
  errors: number;
  firstError?: string;
}

/**
 * The same line for a phase measured elsewhere (the webhook phases' load
 * generator runs in a process of its own), with the CPU split given, and
 * the GC pauses of the server's process where that is not this one.
 */
export async function outcomeLine<Cores extends Record<string, number>>(
  name: string,
  outcome: Outcome,
  cpuCores: Cores,
  phase: PhaseProbe,
  serverGc?: GcPauses,
) {
  const { latency, elapsedMs, errors, firstError } = outcome;
  const benchGc = phase.gc();
  return {
    name,
    ops_per_s: Math.round(latency.count / (elapsedMs / 1000)),
    ...latency,
    errors,
    ...(firstError === undefined ? {} : { first_error: firstError }),
    duration_s: round(elapsedMs / 1000, 2),
    cpu_cores: cpuCores,
    node_gc_pauses: serverGc ?? benchGc,
    redis_commands: await phase.commands(),
  };
}

// Cores other processes may take before a phase's numbers stop being ours.
const disturbedAbove = 0.25;

/** Says on stderr when another process competed for the cores. */
export function warnIfDisturbed(
  logger: Logger,
  name: string,
  cpu: { other: number },
): void {
  if (cpu.other > disturbedAbove) {
    logger.warn(
      { phase: name, otherCores: cpu.other },
      'other processes took CPU during this phase; rerun on a quiet machine',
    );
  }
}
