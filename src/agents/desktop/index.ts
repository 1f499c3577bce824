import type { FastifyInstance } from 'fastify';
import type { ContextStore } from '../../context/store';
import type { Logger } from '../../log';
import type { Offer } from '../types';
import { DesktopHub } from './desktop-hub';
import { desktopRoutes, type DesktopRouteOptions } from './desktop-routes';
import { desktopSocketRoute } from './desktop-socket';
import type { DesktopActions, DesktopAuth } from './ports';
import type { Json } from './protocol';
import { ScreenPops } from './screen-pop';

export type { DesktopActions, DesktopAuth } from './ports';
export { ScreenPops, desktopChannels } from './screen-pop';

export interface DesktopSetup {
  store: ContextStore;
  logger: Logger;
  auth: DesktopAuth;
  actions: DesktopActions;
  sipWsUri?: string;
  sipDomain?: string;
  callbacks?: DesktopRouteOptions['callbacks'];
  handoff?: DesktopRouteOptions['handoff'];
}

/**
 * The agent desktop, assembled: the screen-pops routing publishes, the
 * hub that hands them to this instance's sockets, the WebSocket and the
 * page. `routes` goes on the server's root scope, outside the admin
 * token's /api scope: it checks sessions itself. The WebSocket plugin
 * must be registered before it (src/voice/webhooks.ts does, once).
 */
export function setUpDesktop(setup: DesktopSetup) {
  const logger = setup.logger.child({ component: 'desktop' });
  const hub = new DesktopHub(setup.store.redis, logger);
  const pops = new ScreenPops(setup.store, setup.store.redis);
  return {
    pops,
    hub,
    /** For the ACD's hooks: onOffer awaits deliver before dialling. */
    hooks: {
      onOffer: (offer: Offer) => pops.deliver(offer),
      onOfferGone: (offer: Offer, why: string) => pops.gone(offer, why),
      onQueueChange: (queue: string, stats: Json) =>
        pops.queueChanged(queue, stats),
    },
    routes: (app: FastifyInstance) => {
      desktopSocketRoute(app, {
        auth: setup.auth,
        actions: setup.actions,
        hub,
        store: setup.store,
      });
      desktopRoutes(app, {
        auth: setup.auth,
        ...(setup.sipWsUri === undefined ? {} : { sipWsUri: setup.sipWsUri }),
        ...(setup.sipDomain === undefined
          ? {}
          : { sipDomain: setup.sipDomain }),
        ...(setup.callbacks === undefined
          ? {}
          : { callbacks: setup.callbacks }),
        ...(setup.handoff === undefined ? {} : { handoff: setup.handoff }),
      });
    },
    /** After the port is bound; sockets opened before wait for it. */
    start: () => hub.start(),
    /** After the server closed its sockets; before Redis closes. */
    close: () => hub.close(),
  };
}

export type Desktop = ReturnType<typeof setUpDesktop>;
