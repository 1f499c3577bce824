import type { Redis } from 'ioredis';
import type { Logger } from '../../src/log';
import { measureCallbacks } from './callbacks';
import { measureChat } from './chat';
import { measureEmail } from './email';
import { measureScreenPop } from './screen-pop';

/**
 * The digital channels' phases: chat delivery, callback scheduling and
 * inbound email. Each starts what it measures on the bench's redis-server,
 * on data of its own, and prints its JSON lines with `emit`.
 */

export interface BenchTarget {
  redis: Redis;
  redisUrl: string;
  redisPid: number;
  dataDir: string;
}

export type DigitalPhase = (
  target: BenchTarget,
  logger: Logger,
  signal: AbortSignal,
) => Promise<void>;

/** By name, in the order they run; BENCH_PHASES picks some by name. */
export const digitalPhases: Record<string, DigitalPhase> = {
  chat: measureChat,
  callbacks: measureCallbacks,
  email: measureEmail,
  'screen-pop': measureScreenPop,
};
