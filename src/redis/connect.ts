import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../config';

/** A standalone or Sentinel-managed server, or a Cluster: the store takes all. */
export type RedisClient = Redis | Cluster;

const common: RedisOptions = {
  // Commands are written as they are issued and never wait for earlier
  // replies, so independent commands already share a round trip. ioredis's
  // auto-pipelining batches them further, but the batches it keeps alive
  // across ticks tripled GC pauses on the hot path in `npm run bench`
  // (card lookup p99 at 2,000/s: ~9 ms with it, ~2 ms without).
  enableAutoPipelining: false,
  // Fail a command after a few reconnect attempts instead of queueing it
  // forever; a caller is better served by a quick fallback than a hang.
  maxRetriesPerRequest: 3,
  connectionName: 'bridgeline',
};

export function createRedisClient(
  target: Exclude<RedisTarget, { mode: 'embedded' }>,
): RedisClient {
  switch (target.mode) {
    case 'standalone':
      return new Redis(target.url, common);
    case 'sentinel':
      return new Redis({
        ...common,
        sentinels: target.sentinels,
        name: target.master,
        ...(target.password === undefined
          ? {}
          : { password: target.password, sentinelPassword: target.password }),
        ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
      });
    case 'cluster':
      return new Cluster(target.nodes, {
        enableAutoPipelining: false,
        redisOptions: {
          ...common,
          ...(target.password === undefined
            ? {}
            : { password: target.password }),
          ...(target.tls ? { tls: {} } : {}),
        },
      });
  }
}

/** Resolves once the client can take commands, or rejects with the cause. */
export async function waitForReady(client: RedisClient): Promise<void> {
  if (client.status === 'ready') {
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      client.off('error', onError);
      resolve();
    };
    const onError = (err: Error) => {
      client.off('ready', onReady);
      reject(err);
    };
    client.once('ready', onReady);
    client.once('error', onError);
  });
}

/**
 * Every key matching `pattern`, on every master of a Cluster. SCAN walks the
 * whole keyspace, so this is for rare jobs (retention, erasure), never for a
 * call's hot path.
 */
export async function scanKeys(
  client: RedisClient,
  pattern: string,
  onBatch: (keys: string[]) => Promise<void>,
  type?: string,
): Promise<void> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = type
        ? await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000, 'TYPE', type)
        : await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        await onBatch(keys);
      }
    } while (cursor !== '0');
  }
}
