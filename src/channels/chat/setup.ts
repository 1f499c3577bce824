import type { FastifyInstance } from 'fastify';
import type { ContextStore } from '../../context/store';
import type { Logger } from '../../log';
import type { ChannelSettings } from '../settings';
import type { Journeys } from '../journeys';
import { LiveChat } from './live';
import { chatApiRoutes, chatPublicRoutes } from './routes';
import { ChatService, type ChatServiceOptions } from './service';
import { VisitorTokens, visitorTokenKey } from './visitor-tokens';
import type { VisitorSocketOptions } from './visitor-socket';

export interface ChatSetup {
  settings: ChannelSettings['chat'];
  store: ContextStore;
  journeys: Journeys;
  logger: Logger;
  /** Shared by every instance: visitor tokens are derived from it. */
  adminToken: string;
  callbacks?: ChatServiceOptions['callbacks'];
  openLink?: VisitorSocketOptions['openLink'];
  now: () => Date;
}

/** Web chat, assembled: its service, its routes, its subscriber. */
export function setUpChat(setup: ChatSetup) {
  const logger = setup.logger.child({ component: 'chat' });
  const live = new LiveChat(setup.store.redis, logger);
  const service = new ChatService({
    store: setup.store,
    journeys: setup.journeys,
    live,
    // Derived from the admin token, like voicemail stream tokens: every
    // instance has it, LINK_SECRET may be unset.
    tokens: new VisitorTokens(visitorTokenKey(setup.adminToken)),
    messagesPerMinute: setup.settings.messagesPerMinute,
    resumeWindowMs: setup.settings.resumeWindowMs,
    logger,
    now: setup.now,
    ...(setup.callbacks === undefined ? {} : { callbacks: setup.callbacks }),
  });
  return {
    service,
    publicRoutes: (app: FastifyInstance) => {
      chatPublicRoutes(app, service, {
        maxFrameBytes: setup.settings.maxFrameBytes,
        ...(setup.openLink === undefined ? {} : { openLink: setup.openLink }),
      });
    },
    apiRoutes: (api: FastifyInstance) => {
      chatApiRoutes(api, service);
    },
    start: () => live.start(),
    close: () => live.close(),
  };
}
