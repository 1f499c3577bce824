import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../config';
import type { ContextStore } from '../context/store';
import type { FlowStore } from '../ivr/flow-store';
import type { CapabilityServices } from '../ivr/types';
import type { Logger } from '../log';
import type { RedisClient } from '../redis/connect';
import type { CallbackRequests } from '../escalation/callback-requests';
import { setUpCallbacks } from '../escalation/callback-setup';
import type { CallbackService } from '../escalation/callback-service';
import { Handoffs } from '../escalation/handoff';
import { LinkTokens } from '../escalation/links';
import type { PlacedCalls } from '../voice/call-service';
import { Arrivals, ReportingJourneys, type ArrivalListener } from './arrivals';
import { CostLimits } from './cost-limits';
import type { ChatService } from './chat/service';
import { setUpChat } from './chat/setup';
import { setUpEmail } from './email';
import type { Journeys } from './journeys';
import type { EmailSender, SmsSender } from './outbound';
import { setUpSms } from './sms';

/**
 * The digital channels and escalations, assembled from the settings: chat,
 * SMS, email, escalation links and callbacks. What they serve over HTTP is
 * handed to the server in three groups, each behind its own guard; what
 * runs on its own (the SMTP listener, the callback worker) starts and
 * stops here.
 */

export interface ChannelsSetup {
  config: Config;
  store: ContextStore;
  redis: RedisClient;
  flows: FlowStore;
  logger: Logger;
  registry: Registry;
  adminToken: string;
  /** Signs escalation links; see src/escalation/link-secret.ts. */
  linkSecret: Buffer;
  /** PUBLIC_BASE_URL, or the local URL once the port is bound. */
  publicBaseUrl: () => string;
  now: () => Date;
}

export interface Channels {
  /** Public routes: the chat page, the widget, its WebSocket, links. */
  publicRoutes(app: FastifyInstance): void;
  /** Routes under /api, behind the admin token (agent replies). */
  apiRoutes(api: FastifyInstance): void;
  /** Webhooks under /jambonz, behind its signature check (SMS). */
  jambonzWebhooks(scope: FastifyInstance): void;
  /** What the IVR's handoff and callback nodes call. */
  capabilities: CapabilityServices;
  /** Whose a digital message is and which conversation it continues. */
  journeys: Journeys;
  /**
   * Told of each customer message on chat, SMS or email once it is
   * stored: routing finds the conversation an agent (routing.ts).
   */
  onArrival(listener: ArrivalListener): void;
  /** The tokens in "carry on in chat" links. */
  links: LinkTokens;
  /** Texts a customer; refuses 'not-configured' until SMS is set up. */
  sms?: SmsSender;
  /** Emails a customer; without SMTP_URL, into DATA_DIR/outbox. */
  email?: EmailSender;
  /** The SMTP listener's port once started (SMTP_PORT 0 picks one). */
  smtpPort(): number | undefined;
  /** Per-number hourly limits on SMS and calls; see cost-limits.ts. */
  costLimits: CostLimits;
  /** Web chat; joinConversation joins a link's visitor to its chat. */
  chat: ChatService;
  /** Digital to callback: requests, places in line, the calls. */
  callbacks?: CallbackService;
  /** What the call webhooks tell callbacks; see call-service.ts. */
  placedCalls?: PlacedCalls;
  /** Starts listeners and workers; after the HTTP port is bound. */
  start(): Promise<void>;
  /** Stops taking work, drains what is in hand; before Redis closes. */
  close(): Promise<void>;
}

export function setUpChannels(setup: ChannelsSetup): Channels {
  // Each channel below takes the journeys; see journeys.ts. SMS and
  // email record every inbound message there, which tells arrivals.
  const arrivals = new Arrivals(setup.logger.child({ component: 'arrivals' }));
  const journeys = new ReportingJourneys(setup.store, setup.now, arrivals);
  const publicRoutes: ((app: FastifyInstance) => void)[] = [];
  const apiRoutes: ((api: FastifyInstance) => void)[] = [];
  const webhooks: ((scope: FastifyInstance) => void)[] = [];
  const starts: (() => Promise<void>)[] = [];
  // Closed in the reverse order of their starts.
  const closes: (() => Promise<void>)[] = [];
  const capabilities: CapabilityServices = {};
  const links = new LinkTokens(setup.redis, {
    secret: setup.linkSecret,
    ttlMs: setup.config.channels.links.ttlMs,
    now: () => setup.now().getTime(),
  });

  const costLimits = new CostLimits(
    setup.redis,
    {
      sms: setup.config.channels.sms.perNumberPerHour,
      call: setup.config.channels.calls.perNumberPerHour,
    },
    () => setup.now().getTime(),
  );
  // The callback service, set once it is built: it texts through SMS, and
  // SMS's CALL ME keyword asks it for a call back.
  const callbackLine: { service?: CallbackRequests } = {};
  const sms = setUpSms({
    ...setup,
    journeys,
    costLimits,
    callbacks: () => callbackLine.service,
  });
  webhooks.push(sms.webhook);
  apiRoutes.push(sms.replyRoute);
  closes.push(sms.close);

  // Email: the SMTP listener, the sender and the agents' reply route.
  const email = setUpEmail({
    ...setup,
    journeys,
    callbacks: () => callbackLine.service,
  });
  apiRoutes.push(email.replyRoute);
  starts.push(email.start);
  closes.push(email.close);

  const chat = setUpChat({
    settings: setup.config.channels.chat,
    store: setup.store,
    journeys,
    logger: setup.logger,
    adminToken: setup.adminToken,
    callbacks: () => callbackLine.service,
    // A "carry on in chat" link opens its conversation once.
    openLink: (token) => links.redeem(token),
    now: setup.now,
  });
  chat.service.onVisitorMessage((arrival) => arrivals.landed(arrival));
  publicRoutes.push(chat.publicRoutes);
  apiRoutes.push(chat.apiRoutes);
  starts.push(chat.start);
  closes.push(chat.close);

  const callbacks = setUpCallbacks({ ...setup, costLimits });
  callbackLine.service = callbacks.service;
  capabilities.callback = {
    available: () => callbacks.service.available(),
    perform: (caller) => callbacks.service.perform(caller),
  };
  starts.push(callbacks.start);
  closes.push(callbacks.close);

  const handoffs = new Handoffs({
    store: setup.store,
    journeys,
    links,
    // Unconfigured SMS would refuse every link: the node says so at once.
    sms: sms.sender.configured ? sms.sender : undefined,
    email: email.sender,
    publicBaseUrl: setup.publicBaseUrl,
  });
  capabilities.handoff = {
    available: (channel) => handoffs.available(channel),
    perform: (caller, channel) => handoffs.perform(caller, channel),
  };

  return {
    publicRoutes: (app) => {
      for (const add of publicRoutes) {
        add(app);
      }
    },
    apiRoutes: (api) => {
      for (const add of apiRoutes) {
        add(api);
      }
    },
    jambonzWebhooks: (scope) => {
      for (const add of webhooks) {
        add(scope);
      }
    },
    capabilities,
    journeys,
    onArrival: (listener) => {
      arrivals.listen(listener);
    },
    links,
    sms: sms.sender,
    email: email.sender,
    smtpPort: email.smtpPort,
    costLimits,
    chat: chat.service,
    callbacks: callbacks.service,
    placedCalls: callbacks.outcomes,
    async start() {
      for (const start of starts) {
        await start();
      }
    },
    async close() {
      for (const close of [...closes].reverse()) {
        await close();
      }
    },
  };
}
