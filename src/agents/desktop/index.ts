import type { FastifyInstance } from 'fastify';
import type { ContextStore } from '../../context/store';
import { isAssigned } from '../assignments';
import { authenticateUpgrade, originAllowed } from '../../http/principal';
import type { Logger } from '../../log';
import type { Offer } from '../types';
import { acdActions, acdHooks, type DesktopAcd } from './acd-bridge';
import { DesktopHub } from './desktop-hub';
import { desktopRoutes, type DesktopRouteOptions } from './desktop-routes';
import { desktopSocketRoute } from './desktop-socket';
import type { DesktopActions, DesktopAuth, DesktopLiveChat } from './ports';
import { ScreenPops } from './screen-pop';

export type { DesktopAcd } from './acd-bridge';
export type { DesktopActions, DesktopAuth, DesktopLiveChat } from './ports';
export { ScreenPops, desktopChannels } from './screen-pop';

/**
 * Sessions as the app keeps them (src/http/principal.ts): the bl_session
 * cookie or a bearer token, resolved by the server's `principals`, and
 * the Origin of PUBLIC_BASE_URL or, unset, of the Host asked for.
 */
export function sessionDesktopAuth(
  publicBaseUrl: string | undefined,
): DesktopAuth {
  return {
    authenticate: authenticateUpgrade,
    originAllowed: (request) => originAllowed(request, publicBaseUrl),
  };
}

export interface DesktopSetup {
  store: ContextStore;
  logger: Logger;
  auth: DesktopAuth;
  /**
   * What the agents' frames act on: the ACD (a getter, since the ACD is
   * built after the desktop, with its hooks) or, in tests, `actions`.
   */
  acd?: () => DesktopAcd;
  actions?: DesktopActions;
  /** Handed to the ACD's finish: the wrap-up after a contact. */
  wrapUpSeconds?: number;
  sipWsUri?: string;
  sipDomain?: string;
  sipUserOf?: DesktopRouteOptions['sipUserOf'];
  /** Defaults, with the ACD, to the customers it gave the agent. */
  mayActOn?: DesktopRouteOptions['mayActOn'];
  callbacks?: DesktopRouteOptions['callbacks'];
  handoff?: DesktopRouteOptions['handoff'];
  /** Visitor messages of the chats an agent holds, live on the desktop. */
  liveChat?: DesktopLiveChat;
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
  const { acd } = setup;
  const actions =
    setup.actions ??
    (acd ? acdActions(acd, pops, setup.wrapUpSeconds ?? 0) : undefined);
  if (!actions) {
    throw new TypeError('setUpDesktop needs the ACD (acd) or actions');
  }
  const mayActOn =
    setup.mayActOn ??
    (acd
      ? (agentId: string, customerId: string) =>
          isAssigned(setup.store.redis, agentId, customerId)
      : undefined);
  return {
    pops,
    hub,
    /** For the ACD: onOffer resolves once the pop is published. */
    hooks: acd
      ? acdHooks(acd, pops, logger)
      : {
          onOffer: (offer: Offer) => pops.deliver(offer),
          onOfferGone: (offer: Offer, why: string) => pops.gone(offer, why),
          onQueueChange: () => undefined,
        },
    routes: (app: FastifyInstance) => {
      desktopSocketRoute(app, {
        auth: setup.auth,
        actions,
        hub,
        store: setup.store,
        ...(setup.liveChat === undefined ? {} : { liveChat: setup.liveChat }),
      });
      desktopRoutes(app, {
        auth: setup.auth,
        ...(setup.sipWsUri === undefined ? {} : { sipWsUri: setup.sipWsUri }),
        ...(setup.sipDomain === undefined
          ? {}
          : { sipDomain: setup.sipDomain }),
        ...(mayActOn === undefined ? {} : { mayActOn }),
        ...(setup.sipUserOf === undefined
          ? {}
          : { sipUserOf: setup.sipUserOf }),
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
