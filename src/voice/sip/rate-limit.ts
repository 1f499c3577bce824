/**
 * Admission control in the style of Kamailio's pike module: count requests
 * per source in fixed windows and, past the limit, shut the source out for
 * a while. Counts live in this process: each instance enforces its own
 * limit, which is what a per-host flood guard needs (the flood reaches the
 * instance it targets) and keeps Redis off the path of hostile traffic.
 * TODO(security): a distributed attacker spread across many instances gets
 * N times the limit; a Redis-backed counter would close that.
 */

export interface WindowLimits {
  /** Hits allowed in one window. */
  limit: number;
  windowMs: number;
  /** How long a source stays shut out once it went over. */
  blockMs: number;
}

interface Bucket {
  windowStart: number;
  count: number;
  blockedUntil: number;
}

// Past this many tracked sources, idle ones are swept on the next hit.
const SWEEP_AT = 10_000;

export class WindowLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: WindowLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit; false when the source is (now) over its limit. */
  hit(source: string): boolean {
    const now = this.now();
    const bucket = this.bucket(source, now);
    if (bucket.blockedUntil > now) {
      return false;
    }
    bucket.count += 1;
    if (bucket.count > this.limits.limit) {
      bucket.blockedUntil = now + this.limits.blockMs;
      return false;
    }
    return true;
  }

  /** Whether the source is shut out, without counting a hit. */
  isBlocked(source: string): boolean {
    const bucket = this.buckets.get(source);
    return bucket !== undefined && bucket.blockedUntil > this.now();
  }

  /** Sources currently shut out, for /metrics. */
  blockedCount(): number {
    const now = this.now();
    let count = 0;
    for (const bucket of this.buckets.values()) {
      if (bucket.blockedUntil > now) {
        count += 1;
      }
    }
    return count;
  }

  private bucket(source: string, now: number): Bucket {
    let bucket = this.buckets.get(source);
    if (bucket === undefined) {
      if (this.buckets.size >= SWEEP_AT) {
        this.sweep(now);
      }
      bucket = { windowStart: now, count: 0, blockedUntil: 0 };
      this.buckets.set(source, bucket);
    } else if (now - bucket.windowStart >= this.limits.windowMs) {
      bucket.windowStart = now;
      bucket.count = 0;
    }
    return bucket;
  }

  private sweep(now: number): void {
    for (const [source, bucket] of this.buckets) {
      if (
        bucket.blockedUntil <= now &&
        now - bucket.windowStart >= this.limits.windowMs
      ) {
        this.buckets.delete(source);
      }
    }
  }
}

/** Calls between INVITE and their final answer, capped. */
export class SetupGate {
  private inSetup = 0;

  constructor(private readonly max: number) {}

  get count(): number {
    return this.inSetup;
  }

  /** Takes a place, or returns false when all are taken. */
  enter(): boolean {
    if (this.inSetup >= this.max) {
      return false;
    }
    this.inSetup += 1;
    return true;
  }

  leave(): void {
    this.inSetup = Math.max(0, this.inSetup - 1);
  }
}
