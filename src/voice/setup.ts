import { createHmac } from 'node:crypto';
import path from 'node:path';
import type { ContextStore } from '../context/store';
import { step } from '../ivr/engine';
import type { CapabilityServices } from '../ivr/types';
import type { FlowStore } from '../ivr/flow-store';
import type { RedisClient } from '../redis/connect';
import { CallService, type PlacedCalls } from './call-service';
import { CallStates } from './call-state';
import { flowSourceOf } from './flow-lookup';
import type { QueueRouting } from './queue-routing';
import { Recordings } from './recordings';
import type { VoiceRouteOptions } from './webhooks';

export interface VoiceSetup {
  redis: RedisClient;
  store: ContextStore;
  flows: FlowStore;
  dataDir: string;
  adminToken: string;
  webhookSecret: string | undefined;
  transferAllowlist: readonly string[];
  callStateTtlSeconds: number;
  /** PUBLIC_BASE_URL, or the local URL once the port is bound. */
  publicBaseUrl: () => string;
  now?: () => Date;
  /** The services the handoff and callback nodes call. */
  capabilities?: CapabilityServices;
  /** Calls bridgeline placed (callbacks); see call-service.ts. */
  placedCalls?: PlacedCalls;
  /** Calls routed to agents through the ACD; see queue-setup.ts. */
  queueRouting?: QueueRouting;
}

/** The voice part of bridgeline, assembled from the settings. */
export function setUpVoice(setup: VoiceSetup): VoiceRouteOptions {
  const recordings = new Recordings({
    dir: path.join(setup.dataDir, 'recordings'),
    // Derived from the admin token, which every instance shares, so any
    // instance accepts a stream another one asked jambonz to open.
    tokenKey: createHmac('sha256', setup.adminToken)
      .update('bridgeline voicemail stream tokens')
      .digest(),
    publicBaseUrl: setup.publicBaseUrl,
  });
  setup.store.keepsFiles(recordings);
  const callStates = new CallStates(setup.redis, setup.callStateTtlSeconds);
  const flows = flowSourceOf(setup.flows);
  const routing = setup.queueRouting;
  const capabilities: CapabilityServices = {
    ...setup.capabilities,
    ...(routing === undefined
      ? {}
      : {
          queue: {
            available: () => routing.available(),
            perform: (caller, request) => routing.perform(caller, request),
          },
        }),
  };
  const calls = new CallService({
    store: setup.store,
    callStates,
    flows,
    step,
    recordings,
    transferAllowlist: setup.transferAllowlist,
    capabilities,
    ...(routing === undefined ? {} : { queueRouting: routing }),
    ...(setup.now === undefined ? {} : { now: setup.now }),
    ...(setup.placedCalls === undefined
      ? {}
      : { placedCalls: setup.placedCalls }),
  });
  return {
    calls,
    recordings,
    webhookSecret: setup.webhookSecret,
    ...(routing === undefined
      ? {}
      : { queue: { calls, routing, callStates, flows } }),
  };
}
