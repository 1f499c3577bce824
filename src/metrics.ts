import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics; one registry per app instance, so tests stay apart. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'bridgeline_' });

  return {
    registry,
    httpDuration: new Histogram({
      name: 'bridgeline_http_request_duration_seconds',
      help: 'HTTP requests by route and status, from arrival to last byte.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    cardLookup: new Histogram({
      name: 'bridgeline_context_card_seconds',
      help: 'Context card lookups by the identity they came in by.',
      labelNames: ['by', 'found'] as const,
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25],
      registers: [registry],
    }),
    redisUp: new Gauge({
      name: 'bridgeline_redis_up',
      help: '1 while Redis answers PING, 0 otherwise.',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
