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
  const calls = new CallService({
    store: setup.store,
    callStates: new CallStates(setup.redis, setup.callStateTtlSeconds),
    flows: flowSourceOf(setup.flows),
    step,
    recordings,
    transferAllowlist: setup.transferAllowlist,
    ...(setup.capabilities === undefined
      ? {}
      : { capabilities: setup.capabilities }),
    ...(setup.now === undefined ? {} : { now: setup.now }),
    ...(setup.placedCalls === undefined
      ? {}
      : { placedCalls: setup.placedCalls }),
  });
  return { calls, recordings, webhookSecret: setup.webhookSecret };
}
