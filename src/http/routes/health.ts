import type { FastifyInstance } from 'fastify';
import type { RedisMode } from '../server';
import type { RedisClient } from '../../redis/connect';
import type { Metrics } from '../../metrics';

interface HealthOptions {
  redis: RedisClient;
  redisMode: RedisMode;
  metrics: Metrics;
  startedAt: number;
  sipState?: () => 'off' | 'connecting' | 'connected';
}

const PING_TIMEOUT_MS = 1000;

/** GET /healthz: 200 while Redis answers, 503 with the reason otherwise. */
export function healthRoutes(app: FastifyInstance, options: HealthOptions) {
  app.get('/healthz', async (_request, reply) => {
    const redis = await pingRedis(options.redis);
    options.metrics.redisUp.set(redis.status === 'up' ? 1 : 0);
    const healthy = redis.status === 'up';
    return reply.status(healthy ? 200 : 503).send({
      status: healthy ? 'ok' : 'degraded',
      uptimeSeconds: Math.round((Date.now() - options.startedAt) / 1000),
      redis: { ...redis, mode: options.redisMode },
      // Informational: the HTTP side and the IVR work without the SIP edge.
      sip: options.sipState?.() ?? 'off',
    });
  });

  app.get('/metrics', async (_request, reply) => {
    const { registry } = options.metrics;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

async function pingRedis(
  redis: RedisClient,
): Promise<{ status: 'up' | 'down'; pingMs?: number; error?: string }> {
  if (redis.status !== 'ready') {
    return { status: 'down', error: `connection ${redis.status}` };
  }
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no reply in ${PING_TIMEOUT_MS} ms`));
        }, PING_TIMEOUT_MS);
      }),
    ]);
    const pingMs = Math.round((performance.now() - started) * 100) / 100;
    return { status: 'up', pingMs };
  } catch (err) {
    return { status: 'down', error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
