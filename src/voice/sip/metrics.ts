import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The SIP edge's Prometheus metrics, on the app's registry. */
export function createSipMetrics(registry: Registry) {
  const registers = [registry];
  return {
    connected: new Gauge({
      name: 'bridgeline_sip_connected',
      help: '1 while connected to drachtio-server, 0 otherwise.',
      registers,
    }),
    reconnects: new Counter({
      name: 'bridgeline_sip_reconnects_total',
      help: 'Attempts to connect to drachtio-server again after a loss.',
      registers,
    }),
    requests: new Counter({
      name: 'bridgeline_sip_requests_total',
      help: 'SIP requests by method and what the edge did with them.',
      labelNames: ['method', 'outcome'] as const,
      registers,
    }),
    callsInSetup: new Gauge({
      name: 'bridgeline_sip_calls_in_setup',
      help: 'INVITEs between arrival and their final answer.',
      registers,
    }),
    decision: new Histogram({
      name: 'bridgeline_sip_decision_seconds',
      help: 'INVITE arrival to routing decision, lookups included.',
      labelNames: ['action'] as const,
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    }),
    lookupTimeouts: new Counter({
      name: 'bridgeline_sip_lookup_timeouts_total',
      help: 'Lookups that missed SIP_LOOKUP_BUDGET_MS or failed.',
      registers,
    }),
  };
}

export type SipMetrics = ReturnType<typeof createSipMetrics>;
