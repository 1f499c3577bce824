import {
  startBridgeline,
  type Bridgeline,
  type StartOptions,
} from '../../src/app';
import { loadConfig } from '../../src/config';
import { silentLogger, startTestRedis, tempDir, type TestRedis } from './redis';

export const testAdminToken = 'test-admin-token-0123456789';

export interface RunningApp {
  redis: TestRedis;
  app: Bridgeline;
  /** http://127.0.0.1:<port> */
  base: string;
  /** DATA_DIR */
  dataDir: string;
}

/**
 * bridgeline started in-process for one test file, on a redis-server of the
 * file's own, configured by `env` on top of a loopback, token-protected
 * default. The returned object is filled in by beforeAll.
 */
export function bridgelineOnOwnRedis(
  env: Record<string, string> = {},
  options: StartOptions = {},
): RunningApp {
  const running = {} as RunningApp;
  beforeAll(async () => {
    running.redis = await startTestRedis();
    running.dataDir = env.DATA_DIR ?? (await tempDir('app'));
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: '0',
      REDIS_URL: running.redis.server.url,
      ADMIN_TOKEN: testAdminToken,
      ...env,
      DATA_DIR: running.dataDir,
    });
    running.app = await startBridgeline(config, silentLogger, options);
    running.base = `http://127.0.0.1:${running.app.port}`;
  });
  afterAll(async () => {
    await running.app.close();
    await running.redis.stop();
  });
  return running;
}
