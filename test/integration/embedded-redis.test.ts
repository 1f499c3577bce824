import fs from 'node:fs/promises';
import path from 'node:path';
import { EmbeddedRedis } from '../../src/redis/embedded';
import { silentLogger, startTestRedis, tempDir } from '../support/redis';

function isAlive(pid: number | undefined): boolean {
  try {
    process.kill(pid ?? -1, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the embedded redis-server', () => {
  it('runs on loopback, durable to the second and never evicting', async () => {
    const redis = await startTestRedis();
    try {
      const setting = async (name: string): Promise<string | undefined> => {
        const [, value] = (await redis.client.config('GET', name)) as string[];
        return value;
      };
      expect(await setting('bind')).toBe('127.0.0.1');
      expect(await setting('appendonly')).toBe('yes');
      expect(await setting('appendfsync')).toBe('everysec');
      expect(await setting('maxmemory-policy')).toBe('noeviction');
      expect(await setting('dir')).toBe(redis.dataDir);
      await expect(
        fs.stat(path.join(redis.dataDir, 'redis.log')),
      ).resolves.toBeTruthy();
    } finally {
      await redis.stop();
    }
  });

  it('keeps its data across a stop and a second start', async () => {
    const dataDir = await tempDir('reuse');
    const first = await startTestRedis(dataDir);
    await first.client.set('greeting', 'hello again');
    await first.stop();
    expect(isAlive(first.server.pid)).toBe(false);

    const second = await startTestRedis(dataDir);
    try {
      expect(await second.client.get('greeting')).toBe('hello again');
    } finally {
      await second.stop();
    }
  });

  it('stops a server left running by a killed parent before starting', async () => {
    const dataDir = await tempDir('leftover');
    const orphan = await startTestRedis(dataDir);
    await orphan.client.set('written-before', 'the crash');
    orphan.client.disconnect();

    const next = await startTestRedis(dataDir);
    try {
      expect(isAlive(orphan.server.pid)).toBe(false);
      expect(await next.client.get('written-before')).toBe('the crash');
    } finally {
      await next.stop();
    }
  });

  it('says how to get redis-server when it is missing', async () => {
    await expect(
      EmbeddedRedis.start({
        dataDir: await tempDir('missing'),
        serverBin: 'redis-server-that-does-not-exist',
        logger: silentLogger,
      }),
    ).rejects.toThrow(/npm run setup.*REDIS_SERVER_BIN.*REDIS_URL/s);
  });

  it('reports the log when redis-server refuses its configuration', async () => {
    await expect(
      EmbeddedRedis.start({
        dataDir: await tempDir('refused'),
        logger: silentLogger,
        extraArgs: ['--maxmemory-policy', 'forget-everything'],
      }),
    ).rejects.toThrow(/exited while starting/);
  });
});
