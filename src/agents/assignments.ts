import type { RedisClient } from '../redis/connect';
import { acdKeys } from './acd/keys';

/**
 * The customers the routing core has offered or given an agent: the set
 * `{acd}:assigned:<accountId>` of customer ids. The routing core writes
 * it; access checks only read it, to let an agent see the context of a
 * customer they are working with and of no other.
 */

export const assignedKey = acdKeys.assigned;

export async function isAssigned(
  redis: RedisClient,
  accountId: string,
  customerId: string,
): Promise<boolean> {
  return (await redis.sismember(assignedKey(accountId), customerId)) === 1;
}
