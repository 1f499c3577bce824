import type { Logger } from '../../log';
import type { RedisClient } from '../../redis/connect';
import { Acd, type AcdHooks } from './acd';

export { Acd } from './acd';
export type { AcdHooks, AcdOptions, EnqueueResult, Place } from './acd';
export type { AgentView } from './agent-view';
export type { AgentInput, ContactInput } from './contact-input';
export { acdKeys } from './keys';
export { sipPresence } from './presence';
export type { QueueDefinition, QueueInput } from './queues';
export type { OfferGoneReason } from './results';
export type { QueueStats } from './stats';

/**
 * The ACD as the app runs it: on the app's Redis, on the wall clock, with
 * its sweeper started. Close it before Redis on shutdown.
 */
export function setUpAcd(options: {
  redis: RedisClient;
  logger: Logger;
  hooks: AcdHooks;
  callsWhileChatting?: boolean;
}): Acd {
  const acd = new Acd({
    ...options,
    logger: options.logger.child({ module: 'acd' }),
    clock: { now: () => Date.now() },
  });
  acd.start();
  return acd;
}
