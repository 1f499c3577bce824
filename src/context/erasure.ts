import { BridgelineError } from '../errors';
import { scanKeys, type RedisClient } from '../redis/connect';
import type { CustomerFiles } from './customer-files';
import { decodeEntry } from './events';
import { parseIdentityField, type IdentityRef } from './identity';
import { customerIdPattern, keys } from './keys';

/** What an erasure removed: the answer to "what did you hold about me?". */
export interface ErasureReceipt {
  customerId: string;
  erasedAt: string;
  /** Identities that no longer lead to anyone. */
  identities: IdentityRef[];
  /** Every Redis key deleted, sorted. */
  keys: string[];
  timelineEvents: number;
  conversations: number;
  /** Files removed outside Redis (recordings/..., outbox/...), sorted. */
  files: string[];
}

/**
 * Removes everything stored about one customer. Identity pointers go first,
 * so that from the first step on no lookup finds a half-erased customer. The
 * customer's own keys are found by construction and also by scanning for the
 * customer's hash tag, which catches keys written by any module. Files kept
 * outside Redis go before the keys, while the timeline still says which
 * they are.
 *
 * Safe to run again after a stop part-way: a customer with keys left but no
 * profile is still found and finished.
 */
export async function eraseCustomer(
  redis: RedisClient,
  customerId: string,
  now: () => number,
  files: readonly CustomerFiles[] = [],
): Promise<ErasureReceipt> {
  if (!customerIdPattern.test(customerId)) {
    throw new BridgelineError('BL_ERR_CUSTOMER_NOT_FOUND');
  }
  const [identityFields, conversationIds, entries] = await Promise.all([
    redis.hkeys(keys.identities(customerId)),
    redis.zrange(keys.conversations(customerId), 0, -1),
    redis.xrange(keys.timeline(customerId), '-', '+'),
  ]);

  const candidates = new Set([
    keys.customer(customerId),
    keys.identities(customerId),
    keys.timeline(customerId),
    keys.conversations(customerId),
    keys.card(customerId),
    ...conversationIds.map((id) => keys.conversation(customerId, id)),
  ]);
  await scanKeys(redis, keys.allOfCustomer(customerId), (found) => {
    found.forEach((key) => candidates.add(key));
    return Promise.resolve();
  });
  const present = await existing(redis, [...candidates]);
  if (present.length === 0) {
    throw new BridgelineError('BL_ERR_CUSTOMER_NOT_FOUND');
  }

  const identities: IdentityRef[] = [];
  for (const field of identityFields) {
    const ref = parseIdentityField(field, '{}');
    if (!ref) {
      continue;
    }
    const pointer = keys.identity(ref.kind, ref.value);
    if ((await redis.blReleaseIdentity(pointer, customerId)) === 1) {
      present.push(pointer);
    }
    identities.push({ kind: ref.kind, value: ref.value });
  }

  const events = entries.map(([id, fields]) => decodeEntry(id, fields));
  const removed = await Promise.all(
    files.map((kept) => kept.erase({ customerId, events })),
  );

  // One DEL: all of these share the customer's hash tag, hence one slot.
  const own = present.filter((key) => key.includes(`{${customerId}}`));
  await redis.del(...own);

  return {
    customerId,
    erasedAt: new Date(now()).toISOString(),
    identities,
    keys: present.sort(),
    timelineEvents: entries.length,
    conversations: conversationIds.length,
    files: removed.flat().sort(),
  };
}

async function existing(redis: RedisClient, candidates: string[]) {
  const found = await Promise.all(candidates.map((key) => redis.exists(key)));
  return candidates.filter((_key, i) => found[i] === 1);
}
