import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { pino } from 'pino';
import {
  ContextStore,
  type ContextStoreOptions,
} from '../../src/context/store';
import { EmbeddedRedis } from '../../src/redis/embedded';
import { createRedisClient, waitForReady } from '../../src/redis/connect';
import { storeOptions } from './factories';

export const silentLogger = pino({ level: 'silent' });

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `bridgeline-${prefix}-`));
}

export interface TestRedis {
  server: EmbeddedRedis;
  client: Redis;
  dataDir: string;
  stop(): Promise<void>;
}

/** A real redis-server of the test's own, on a free port, in a temp folder. */
export async function startTestRedis(
  dataDir?: string,
  extraArgs: string[] = [],
): Promise<TestRedis> {
  const dir = dataDir ?? (await tempDir('redis'));
  const server = await EmbeddedRedis.start({
    dataDir: dir,
    logger: silentLogger,
    extraArgs,
  });
  const client = new Redis(server.url);
  await waitForReady(client);
  return {
    server,
    client,
    dataDir: dir,
    async stop() {
      client.disconnect();
      await server.stop();
      if (!dataDir) {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Every key in the database, for tests that must prove what is (not) left. */
export async function allKeys(client: Redis): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found.sort();
}

/**
 * Registers a test file's own redis-server and a context store on it; the
 * returned object is filled in by beforeAll.
 */
export function storeOnOwnRedis(options: ContextStoreOptions = storeOptions): {
  redis: TestRedis;
  store: ContextStore;
} {
  const context = {} as { redis: TestRedis; store: ContextStore };
  beforeAll(async () => {
    context.redis = await startTestRedis();
    context.store = new ContextStore(context.redis.client, options);
  });
  afterAll(() => context.redis.stop());
  return context;
}

/**
 * A one-node Redis Cluster holding all 16384 slots: small, but a real
 * cluster, so a command or script spanning two slots fails here as in
 * production. Resolves once the node says the cluster is ok (a new
 * master holds writes for about two seconds first).
 */
export async function startTestCluster(): Promise<TestRedis> {
  const node = await startTestRedis(undefined, [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-announce-ip',
    '127.0.0.1',
  ]);
  await node.client.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  const end = Date.now() + 10_000;
  while (
    !String(await node.client.call('CLUSTER', 'INFO')).includes(
      'cluster_state:ok',
    )
  ) {
    if (Date.now() > end) {
      await node.stop();
      throw new Error('the one-node cluster was not ok within 10 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return node;
}

/** The app's own Cluster client on a node from startTestCluster, ready. */
export async function connectToCluster(node: TestRedis): Promise<Cluster> {
  const client = createRedisClient({
    mode: 'cluster',
    nodes: [{ host: '127.0.0.1', port: node.server.port }],
    tls: false,
  });
  if (!(client instanceof Cluster)) {
    throw new Error('expected a Cluster client');
  }
  await waitForReady(client);
  return client;
}
