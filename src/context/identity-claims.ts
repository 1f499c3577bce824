import { BridgelineError } from '../errors';
import type { RedisClient } from '../redis/connect';
import type { IdentityRef } from './identity';
import { keys } from './keys';

/**
 * Identity pointers (`identity:phone:+1...` -> customer id) live in other
 * Cluster slots than the customer's keys, so no transaction spans both. The
 * order of writes keeps every state safe to stop in:
 *
 * 1. find who owns each identity now, and refuse before writing anything if
 *    the identities belong to different customers;
 * 2. the caller records the links in the customer's slot;
 * 3. each pointer is claimed with SET NX. Were a rival to win one in between,
 *    the claims made here are released and the caller undoes step 2.
 *
 * A stop between 2 and 3 leaves a link whose identity finds nobody yet; it
 * never leaves a pointer that erasure could not reach from the customer.
 */
export async function resolveOwner<T extends IdentityRef>(
  redis: RedisClient,
  customerId: string,
  idGiven: boolean,
  identities: T[],
): Promise<{ owner: string; unclaimed: T[] }> {
  // One GET each rather than MGET: the keys may sit in different slots.
  const owners = await Promise.all(
    identities.map((ref) => redis.get(keys.identity(ref.kind, ref.value))),
  );
  const owner = idGiven
    ? customerId
    : (owners.find((found) => found !== null) ?? customerId);
  const taken = owners.findIndex((found) => found !== null && found !== owner);
  if (taken >= 0) {
    throw identityTaken(taken);
  }
  return {
    owner,
    unclaimed: identities.filter((_ref, i) => owners[i] === null),
  };
}

/**
 * Points each identity at `owner`. Returns the identity lost to a concurrent
 * claim, after releasing the pointers this call took, or undefined.
 */
export async function claimPointers<T extends IdentityRef>(
  redis: RedisClient,
  owner: string,
  identities: T[],
): Promise<T | undefined> {
  const claimed: string[] = [];
  for (const ref of identities) {
    const key = keys.identity(ref.kind, ref.value);
    if ((await redis.set(key, owner, 'NX')) !== null) {
      claimed.push(key);
    } else if ((await redis.get(key)) !== owner) {
      await Promise.all(
        claimed.map((mine) => redis.blReleaseIdentity(mine, owner)),
      );
      return ref;
    }
  }
  return undefined;
}

export function identityTaken(index: number): BridgelineError {
  return new BridgelineError('BL_ERR_IDENTITY_TAKEN', {
    field: `identities.${index}.value`,
  });
}
