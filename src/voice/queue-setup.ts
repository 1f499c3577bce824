import jambonz from '@jambonz/node-client';
import type { AgentSide } from '../agents/setup';
import type { JambonzApiTarget } from '../channels/settings';
import type { ContextStore } from '../context/store';
import type { Logger } from '../log';
import type { RedisClient } from '../redis/connect';
import { QueueCalls } from './queue-calls';
import { QueueRouting, type Redirect } from './queue-routing';

/**
 * Voice routing through the ACD, assembled: built once the agent side is,
 * its offers hooked in after the desktop's screen-pop, and handed to
 * setUpVoice as `queueRouting`.
 */

export interface QueueRoutingSetup {
  agents: Pick<AgentSide, 'acd' | 'accounts' | 'addHooks'>;
  redis: RedisClient;
  store: ContextStore;
  /** SIP_DOMAIN */
  sipDomain: string;
  /** The jambonz REST API; without it a waiting call moves on a waitHook. */
  jambonzApi: JambonzApiTarget | undefined;
  /** As long as a call's state lives: CALL_STATE_TTL_SECONDS. */
  ttlSeconds: number;
  publicBaseUrl: () => string;
  logger: Logger;
}

export function setUpQueueRouting(setup: QueueRoutingSetup): QueueRouting {
  const { agents, logger } = setup;
  const routing = new QueueRouting({
    acd: agents.acd,
    calls: new QueueCalls(setup.redis, setup.ttlSeconds),
    store: setup.store,
    sipUserOf: async (id) => (await agents.accounts.accounts.find(id))?.sipUser,
    sipDomain: setup.sipDomain,
    redirect: setup.jambonzApi && restRedirect(setup.jambonzApi),
    publicBaseUrl: setup.publicBaseUrl,
    logger: logger.child({ module: 'queue-routing' }),
  });
  agents.addHooks({
    onOffer: (offer) => routing.onOffer(offer),
    onOfferGone: (offer, why) => routing.onOfferGone(offer, why),
  });
  if (!setup.jambonzApi) {
    logger.warn(
      'JAMBONZ_API_BASE_URL is not set: a caller waiting in a queue reaches ' +
        'the agent who frees up only on their next wait hook',
    );
  }
  return routing;
}

/**
 * jambonz's live call control (jambonz docs, "Update a call"): a new
 * call_hook makes jambonz fetch the call's next verbs from it, ending the
 * enqueue the caller waits in.
 */
function restRedirect(api: JambonzApiTarget): Redirect {
  const client = jambonz(api.accountSid, api.apiKey, { baseUrl: api.baseUrl });
  return (callSid, url) =>
    client.calls.update(callSid, { call_hook: { url, method: 'POST' } });
}
