import fs from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

/**
 * BENCH_CPU_PROFILE=<folder>: a V8 CPU profile of the server's process for
 * each webhook and SIP phase measured (the bench's own for the webhook, the
 * app's child for SIP), written as <folder>/<phase>.cpuprofile (open it in
 * Chrome DevTools or speedscope).
 * `node --cpu-prof` would profile the whole run, seeding included; this
 * covers the measured seconds only. The sampler costs a few percent.
 */

export interface PhaseProfile {
  /** Stops sampling and writes the profile. */
  stop(): Promise<void>;
}

const folder = process.env.BENCH_CPU_PROFILE;

export async function profilePhase(name: string): Promise<PhaseProfile> {
  if (folder === undefined || folder === '') {
    return { stop: () => Promise.resolve() };
  }
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // One sample a millisecond, as `node --cpu-prof` takes them.
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      await fs.mkdir(folder, { recursive: true });
      const file = path.join(folder, `${name}.cpuprofile`);
      await fs.writeFile(file, JSON.stringify(profile));
    },
  };
}
