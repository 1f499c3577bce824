import type { Logger } from '../../log';
import type { RedisClient } from '../../redis/connect';
import { acdKeys } from './keys';

/**
 * Every instance sweeps: offers nobody answered in time and timed
 * wrap-ups that are over. Each due item is handed to a script that
 * claims it by removing it from its zset, so when two instances see the
 * same item only one acts on it.
 */
export interface SweeperOptions {
  redis: RedisClient;
  logger: Logger;
  now(): number;
  intervalMs: number;
  expireOffer(offerId: string): Promise<unknown>;
  endWrapUp(agentId: string): Promise<unknown>;
}

const batch = 100;

export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: SweeperOptions) {}

  start(): void {
    if (this.timer) {
      return;
    }
    this.timer = setInterval(() => {
      // A slow sweep is not stacked on by the next tick.
      if (!this.running) {
        void this.sweep();
      }
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  sweep(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    const { redis, logger } = this.options;
    try {
      const now = this.options.now();
      const offers = await redis.zrangebyscore(
        acdKeys.offers,
        '-inf',
        now,
        'LIMIT',
        0,
        batch,
      );
      for (const offerId of offers) {
        await this.options.expireOffer(offerId);
      }
      const wrapUps = await redis.zrangebyscore(
        acdKeys.wrapups,
        '-inf',
        now,
        'LIMIT',
        0,
        batch,
      );
      for (const agentId of wrapUps) {
        await this.options.endWrapUp(agentId);
      }
    } catch (err) {
      logger.warn({ err }, 'acd sweep failed; retrying next tick');
    }
  }
}
