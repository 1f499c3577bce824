import { Redis } from 'ioredis';
import { ContextStore } from '../../src/context/store';
import { waitForReady } from '../../src/redis/connect';
import { callbackConfig, callbacksOn } from './callbacks';
import { storeOptions } from './factories';

/**
 * A callback worker alone in a process, for the test that kills one in the
 * middle of a call: started with `node --import tsx`, configured by its
 * environment (REDIS_URL and the JAMBONZ_* of the stand-in). It prints
 * "ready" once it takes jobs, and stops cleanly on SIGTERM.
 */
async function main(): Promise<void> {
  const url = process.env.REDIS_URL ?? '';
  const redis = new Redis(url);
  await waitForReady(redis);
  const store = new ContextStore(redis, storeOptions);
  // The stand-in's address and key, as the test passed them down.
  const jambonz = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[0].startsWith('JAMBONZ_') && entry[1] !== undefined,
    ),
  );
  const config = callbackConfig(url, jambonz);
  const callbacks = callbacksOn(redis, store, config, {
    lockMs: Number(process.env.CALLBACK_LOCK_MS ?? '1000'),
  });
  await callbacks.start();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void callbacks.close().then(() => redis.quit());
  });
}

void main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
