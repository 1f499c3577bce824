import { tickAtRate } from './ticker';

/**
 * Load drivers: an open loop at a fixed offered rate and a closed loop at a
 * fixed concurrency, both bounded in time, plus the latency summary they
 * report. Latencies are kept one per request, in milliseconds.
 */

export type Operation = (index: number) => Promise<unknown>;

export class LatencyLog {
  private values = new Float64Array(1 << 16);
  private size = 0;

  get count(): number {
    return this.size;
  }

  record(ms: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = ms;
  }

  summary(): LatencySummary {
    const sorted = this.values.slice(0, this.size).sort();
    // Nearest rank: the smallest value at or above the share asked for.
    const at = (share: number) =>
      round(sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)] ?? NaN);
    return {
      count: this.size,
      p50_ms: at(0.5),
      p90_ms: at(0.9),
      p99_ms: at(0.99),
      p999_ms: at(0.999),
      max_ms: at(1),
    };
  }
}

export interface LatencySummary {
  count: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export interface RunResult {
  latencies: LatencyLog;
  elapsedMs: number;
  errors: number;
  /** What went wrong the first time, to say why when errors is not 0. */
  firstError?: string;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Starts request i at its intended time, `i / rate` after the start, whatever
 * happened to the earlier ones, and times it from then: a stall in the client
 * or the server shows in the latencies instead of silently lowering the load
 * (coordinated omission). Lateness of the clock counts against us too.
 */
export async function fixedRate(
  op: Operation,
  rate: number,
  durationMs: number,
  signal: AbortSignal,
): Promise<RunResult> {
  const total = Math.round((rate * durationMs) / 1000);
  const latencies = new LatencyLog();
  let errors = 0;
  let firstError: string | undefined;
  let issued = 0;
  let pending = 0;
  let drained: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => {
    drained = resolve;
  });

  const issueUpTo = (due: number, intendedMs: (index: number) => number) => {
    for (; issued < due; issued++) {
      const intended = intendedMs(issued);
      pending++;
      void op(issued)
        .then(
          () => {
            latencies.record(performance.now() - intended);
          },
          (err: unknown) => {
            errors++;
            firstError ??= describe(err);
          },
        )
        .finally(() => {
          if (--pending === 0 && issued === total) {
            drained();
          }
        });
    }
  };

  let intendedMs: (index: number) => number = () => performance.now();
  await tickAtRate(
    rate,
    total,
    (due, intended) => {
      intendedMs = intended;
      issueUpTo(due, intended);
    },
    signal,
  );
  // Every request is due once the clock has stopped; none may be skipped.
  issueUpTo(total, intendedMs);
  if (pending > 0) {
    await allDone;
  }
  const elapsedMs = performance.now() - intendedMs(0);
  return { latencies, elapsedMs, errors, firstError };
}

/**
 * `concurrency` workers each send one request, wait for it, and send the
 * next, until `durationMs` has passed: the most the client and server
 * sustain together at that many requests in flight.
 */
export async function fullSpeed(
  op: Operation,
  concurrency: number,
  durationMs: number,
  signal: AbortSignal,
): Promise<RunResult> {
  const latencies = new LatencyLog();
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const start = performance.now();
  const end = start + durationMs;

  const worker = async () => {
    while (performance.now() < end) {
      signal.throwIfAborted();
      const began = performance.now();
      try {
        await op(next++);
        latencies.record(performance.now() - began);
      } catch (err) {
        errors++;
        firstError ??= describe(err);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - start;
  return { latencies, elapsedMs, errors, firstError };
}

/** Runs `op` for indexes 0..count-1, at most `concurrency` at a time. */
export async function forEachLimited(
  count: number,
  concurrency: number,
  op: Operation,
  signal: AbortSignal,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      signal.throwIfAborted();
      await op(next++);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
