import { readFile } from 'node:fs/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { round } from './load';

/**
 * What the server and both processes did during a phase: memory from INFO,
 * per-command cost from INFO commandstats, CPU time of the bench (Node) and
 * of redis-server, which share the machine's cores, and the bench's own
 * garbage-collection pauses, which every request in flight waits out.
 */

export async function info(
  redis: Redis,
  section: string,
): Promise<Map<string, string>> {
  const text = await redis.info(section);
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) {
      fields.set(line.slice(0, colon), line.slice(colon + 1));
    }
  }
  return fields;
}

export async function usedMemory(redis: Redis): Promise<number> {
  return Number((await info(redis, 'memory')).get('used_memory'));
}

/**
 * Waits out an AOF rewrite, which forks and competes for the same cores; a
 * rewrite in a measured phase would measure the rewrite.
 */
export async function settleAof(redis: Redis, signal: AbortSignal) {
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const persistence = await info(redis, 'persistence');
    if (persistence.get('aof_rewrite_in_progress') === '0') {
      return;
    }
    signal.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/**
 * Runs `work` with Redis's automatic AOF rewrite off, then restores it.
 * Phases that write (the webhook's) grow the AOF by enough to start a
 * rewrite at a random moment, whose forked child takes a core from the
 * phase being measured; the appends and their fsync still happen.
 */
export async function withoutAofRewrites<T>(
  redis: Redis,
  work: () => Promise<T>,
): Promise<T> {
  const setting = 'auto-aof-rewrite-percentage';
  const reply = await redis.config('GET', setting);
  const previous = Array.isArray(reply) ? String(reply[1]) : '100';
  await redis.config('SET', setting, '0');
  try {
    return await work();
  } finally {
    await redis.config('SET', setting, previous);
  }
}

export interface PhaseProbe {
  /**
   * Calls and microseconds per call, per command, since the probe began. A
   * script's time includes the commands it calls, which are listed too.
   */
  commands(): Promise<Record<string, { calls: number; usec_per_call: number }>>;
  /**
   * Cores kept busy since the probe began: by the bench, by redis-server
   * (finished AOF rewrites included), by interrupts (loopback TCP), and by
   * anything else, the hypervisor's steal included. An `other` of more than
   * a tenth or two means something disturbed the run.
   */
  cpu(): Promise<{ node: number; redis: number; irq: number; other: number }>;
  /** Node's GC pauses since the probe began; ends the watch. */
  gc(): GcPauses;
}

export interface GcPauses {
  count: number;
  total_ms: number;
  max_ms: number;
}

export interface GcWatch {
  /** The pauses since the watch began or since the last `take`. */
  take(): GcPauses;
  stop(): void;
}

/** Watches this process's garbage-collection pauses. */
export function watchGc(): GcWatch {
  let pauses: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      pauses.push(entry.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    take() {
      for (const entry of observer.takeRecords()) {
        pauses.push(entry.duration);
      }
      const taken = pauses;
      pauses = [];
      return {
        count: taken.length,
        total_ms: round(
          taken.reduce((sum, ms) => sum + ms, 0),
          1,
        ),
        max_ms: round(Math.max(0, ...taken), 1),
      };
    },
    stop() {
      observer.disconnect();
    },
  };
}

export async function probe(redis: Redis, pid: number): Promise<PhaseProbe> {
  await redis.config('RESETSTAT');
  const wallStart = performance.now();
  const nodeStart = process.cpuUsage();
  const redisStart = await cpuMs(pid);
  const machineStart = await machineMs();
  const gcWatch = watchGc();

  return {
    async commands() {
      const stats = await info(redis, 'commandstats');
      const out: Record<string, { calls: number; usec_per_call: number }> = {};
      for (const [field, value] of stats) {
        const calls = /calls=(\d+)/.exec(value)?.[1];
        const perCall = /usec_per_call=([\d.]+)/.exec(value)?.[1];
        const name = field.replace(/^cmdstat_/, '');
        // The probe's own commands are not the workload's.
        if (calls && perCall && !/^(config|info)\b/.test(name)) {
          out[name] = { calls: Number(calls), usec_per_call: Number(perCall) };
        }
      }
      return out;
    },
    async cpu() {
      const wallMs = performance.now() - wallStart;
      const node = process.cpuUsage(nodeStart);
      const nodeMs = (node.user + node.system) / 1000;
      const redisMs = (await cpuMs(pid)) - redisStart;
      const machine = await machineMs();
      const busyMs = machine.busy - machineStart.busy;
      const otherMs = Math.max(0, busyMs - nodeMs - redisMs);
      return {
        node: round(nodeMs / wallMs, 2),
        redis: round(redisMs / wallMs, 2),
        irq: round((machine.irq - machineStart.irq) / wallMs, 2),
        other: round(otherMs / wallMs, 2),
      };
    },
    gc() {
      const pauses = gcWatch.take();
      gcWatch.stop();
      return pauses;
    },
  };
}

// proc(5) counts CPU time in clock ticks, which Linux exposes to user space
// at 100 per second (USER_HZ) whatever the kernel's own tick rate.
const msPerTick = 10;

// Fields 14 to 17 of /proc/<pid>/stat: user and system time of the process,
// then of its children once reaped, which is where an AOF rewrite's fork
// lands when it is done.
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = fields.slice(11, 15).map(Number);
  return ticks.reduce((sum, value) => sum + value, 0) * msPerTick;
}

// The first line of /proc/stat sums every core: user, nice, system, idle,
// iowait, irq, softirq, steal. Interrupt time, mostly the loopback TCP the
// bench's traffic rides on, is charged to no process, so it is kept apart.
async function machineMs(): Promise<{ busy: number; irq: number }> {
  const stat = await readFile('/proc/stat', 'utf8');
  const [user, nice, system, , , irq, softirq, steal] = (
    stat.split('\n')[0] ?? ''
  )
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const sum = (...ticks: (number | undefined)[]) =>
    ticks.reduce<number>((total, value) => total + (value ?? 0), 0) * msPerTick;
  return { busy: sum(user, nice, system, steal), irq: sum(irq, softirq) };
}
