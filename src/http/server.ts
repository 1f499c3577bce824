import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { adminPageRoutes } from '../admin/page-routes';
import { adminPlugin } from '../admin/plugin';
import type { AccountServices } from '../agents/account-setup';
import type { Acd } from '../agents/acd';
import { acdRoutes } from '../agents/acd-routes';
import type { Desktop } from '../agents/desktop';
import { accountRoutes } from '../agents/account-routes';
import { authRoutes, openAuthRoutes } from '../agents/auth-routes';
import type { Channels } from '../channels/setup';
import type { ContextStore } from '../context/store';
import { BridgelineError } from '../errors';
import type { FlowStore } from '../ivr/flow-store';
import type { Metrics } from '../metrics';
import type { RedisClient } from '../redis/connect';
import { recordingRoutes } from '../voice/voicemail';
import { voiceRoutes, type VoiceRouteOptions } from '../voice/webhooks';
import { accessHook, cardIsAllowed } from './access-policy';
import { registerErrorHandling } from './errors';
import {
  PrincipalResolver,
  principalHook,
  principalOf,
  requireRole,
} from './principal';
import { customerRoutes } from './routes/customers';
import { healthRoutes } from './routes/health';

export type RedisMode = 'embedded' | 'standalone' | 'sentinel' | 'cluster';

export interface ServerOptions {
  logger: FastifyBaseLogger;
  store: ContextStore;
  redis: RedisClient;
  redisMode: RedisMode;
  metrics: Metrics;
  adminToken: string;
  /** TRUSTED_PROXIES: whose X-Forwarded-For gives request.ip. */
  trustedProxies?: readonly string[];
  /** Accounts, sessions and login limits: who may call /api. */
  accounts: AccountServices;
  /** Routing to agents: their state, offers, queues and statistics. */
  acd?: Acd;
  /** The agent desktop: its page, its WebSocket and its actions. */
  desktop?: Desktop;
  /** The jambonz webhooks, voicemail stream and recordings. */
  voice?: VoiceRouteOptions;
  /** Flows and the number map, edited under /api/admin. */
  flowStore?: FlowStore;
  /** The SIP edge's link to drachtio-server, shown by /healthz. */
  sipState?: () => 'off' | 'connecting' | 'connected';
  /** Chat, SMS, email, links and callbacks. */
  channels?: Channels;
}

// A caller's request id is kept when it is a plain token; anything else
// could smuggle text into log lines, so it is replaced.
const requestIdShape = /^[A-Za-z0-9._:-]{1,64}$/;

export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: 256 * 1024,
    // Only a listed proxy may say who the client is; anyone else's
    // X-Forwarded-For is ignored, so it cannot dodge a per-IP limit.
    trustProxy:
      options.trustedProxies === undefined ||
      options.trustedProxies.length === 0
        ? false
        : [...options.trustedProxies],
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && requestIdShape.test(given)
        ? given
        : randomUUID();
    },
  });

  registerErrorHandling(app);
  app.decorate(
    'principals',
    new PrincipalResolver(
      options.adminToken,
      options.accounts.sessions,
      options.accounts.accounts,
    ),
  );
  app.decorateRequest('principal', undefined);
  app.decorateRequest('sessionToken', undefined);
  app.decorateRequest('allowedCustomer', undefined);
  // Every body this API takes is JSON; anything else is a 415, not a string.
  app.removeContentTypeParser('text/plain');

  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    options.metrics.httpDuration
      .labels(
        request.method,
        request.routeOptions.url ?? 'unmatched',
        String(reply.statusCode),
      )
      .observe(reply.elapsedTime / 1000);
    done();
  });

  healthRoutes(app, { ...options, startedAt: Date.now() });
  if (options.voice) {
    voiceRoutes(app, options.voice, options.channels);
  }
  if (options.channels) {
    const { channels } = options;
    void app.register((scope, _options, done) => {
      channels.publicRoutes(scope);
      done();
    });
  }
  adminPageRoutes(app);
  if (options.desktop) {
    const { desktop } = options;
    // Its routes check sessions and the Origin themselves, WebSocket
    // included, so they sit beside /api rather than under its hooks.
    void app.register((scope, _options, done) => {
      desktop.routes(scope);
      done();
    });
  }

  void app.register(
    (api, _options, done) => {
      // Who is asking, then whether their role may: see access-policy.ts.
      api.addHook(
        'onRequest',
        principalHook(app, {
          publicBaseUrl: options.accounts.publicBaseUrl,
          open: openAuthRoutes,
        }),
      );
      api.addHook(
        'onRequest',
        accessHook({
          store: options.store,
          redis: options.redis,
          open: openAuthRoutes,
        }),
      );
      api.addHook('onSend', async (request, reply, payload) => {
        if (cardIsAllowed(request, reply.statusCode, payload)) {
          return payload;
        }
        const refused = new BridgelineError('BL_ERR_FORBIDDEN');
        reply.status(refused.status);
        return JSON.stringify(refused.toJSON());
      });
      authRoutes(api, options.accounts);
      accountRoutes(api, options.accounts);
      if (options.acd) {
        acdRoutes(
          api,
          options.acd,
          { requireRole, principalOf },
          options.redis,
        );
      }
      customerRoutes(api, options);
      if (options.flowStore) {
        void api.register(adminPlugin({ flowStore: options.flowStore }), {
          prefix: '/admin',
        });
      }
      if (options.voice) {
        recordingRoutes(api, options.voice);
      }
      options.channels?.apiRoutes(api);
      done();
    },
    { prefix: '/api' },
  );

  return app;
}
