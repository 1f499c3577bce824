import type { Registry } from 'prom-client';
import type { ContextStore } from '../../context/store';
import type { Logger } from '../../log';
import type { RedisClient } from '../../redis/connect';
import type {
  SipHandler,
  SipRequest,
  SipResponse,
  Srf,
} from '../../types/drachtio-srf';
import { DrachtioConnection, type LinkState } from './connection';
import type { RoutingPolicy } from './decide';
import { handleInvite, type InviteDeps } from './invite';
import { createSipMetrics, type SipMetrics } from './metrics';
import { NonceStore } from './nonces';
import { SetupGate, WindowLimiter } from './rate-limit';
import { handleRegister, type RegisterDeps } from './register';
import { RegistrationStore } from './registrations';
import { scannerMatcher } from './scanners';
import type { SipSettings } from './settings';
import { checkRequest, type CheckedHeaders } from './wellformed';

/**
 * The SIP edge: a drachtio-srf application that answers INVITE, REGISTER
 * and OPTIONS. Every request passes the per-source rate limit first; each
 * handler catches its own failures, so bad input or a Redis fault never
 * becomes an unhandled rejection.
 */

export type SipEdgeState = 'off' | 'connecting' | 'connected';

export interface SipEdgeOptions {
  settings: SipSettings;
  store: ContextStore;
  redis: RedisClient;
  logger: Logger;
  /** The app's Prometheus registry; the edge adds its metrics to it. */
  registry: Registry;
}

export interface SipEdge {
  readonly state: SipEdgeState;
  /** Registrations in Redis; tests and the agent side read them. */
  readonly registrations: RegistrationStore;
  start(): void;
  /** Stops taking requests and closes the drachtio connection. */
  stop(): Promise<void>;
}

// RFC 3261 §11.2: what an OPTIONS answer lists.
const allow = 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER';

export function createSipEdge(options: SipEdgeOptions): SipEdge {
  const { settings, logger: parent } = options;
  const logger = parent.child({ component: 'sip' });
  const metrics = createSipMetrics(options.registry);
  const registrations = new RegistrationStore(options.redis);
  const target = settings.drachtio;
  if (target === undefined) {
    return offEdge(registrations);
  }

  const pike = new WindowLimiter({
    limit: settings.rateLimit.requests,
    windowMs: settings.rateLimit.windowMs,
    blockMs: settings.rateLimit.blockMs,
  });
  const failures = new WindowLimiter({
    limit: settings.authFailures.max - 1,
    windowMs: settings.authFailures.windowMs,
    blockMs: settings.authFailures.blockMs,
  });
  const inviteDeps: InviteDeps = {
    store: options.store,
    registrations,
    policy: routingPolicy(settings),
    routingMode: settings.routingMode,
    lookupBudgetMs: settings.lookupBudgetMs,
    gate: new SetupGate(settings.maxCallsInSetup),
    metrics,
    logger,
  };
  const registerDeps: RegisterDeps = {
    redis: options.redis,
    nonces: new NonceStore(options.redis, settings.nonceTtlSeconds),
    registrations,
    failures,
    settings,
    metrics,
    logger,
  };
  let taking = true;

  const guarded =
    (
      method: string,
      handle: (
        req: SipRequest,
        res: SipResponse,
        headers: CheckedHeaders,
      ) => Promise<void>,
    ): SipHandler =>
    (req, res) => {
      if (!taking) {
        res.send(503, { headers: { 'Retry-After': '5' } });
        return;
      }
      if (!pike.hit(req.source_address)) {
        metrics.requests.labels(method, 'rate_limited').inc();
        if (settings.rateLimit.action === 503) {
          const seconds = Math.max(
            1,
            Math.ceil(settings.rateLimit.blockMs / 1000),
          );
          res.send(503, { headers: { 'Retry-After': String(seconds) } });
        }
        return;
      }
      // INVITE is proxied; OPTIONS and REGISTER end here (RFC 3261 §16.3,
      // §8.2): which checks apply depends on the part the edge plays.
      const check = checkRequest(
        req.raw,
        method === 'INVITE' ? 'proxy' : 'uas',
      );
      if (!check.ok) {
        const { refusal } = check;
        metrics.requests.labels(method, 'malformed').inc();
        logger.info(
          { method, status: refusal.status, reason: refusal.reason },
          'sip request refused as malformed',
        );
        res.send(refusal.status, refusal.reason, {
          headers: refusal.headers ?? {},
        });
        return;
      }
      handle(req, res, check.headers).catch((err: unknown) => {
        logger.error({ err, method }, 'sip request failed');
        metrics.requests.labels(method, 'error').inc();
        if (!res.finalResponseSent) {
          try {
            res.send(500);
          } catch {
            // The connection is gone; drachtio-server times the request out.
          }
        }
      });
    };

  const install = (srf: Srf) => {
    srf.invite(
      guarded('INVITE', (req, res, headers) =>
        handleInvite(inviteDeps, srf, req, res, headers),
      ),
    );
    srf.register(
      guarded('REGISTER', (req, res) => handleRegister(registerDeps, req, res)),
    );
    srf.options(
      guarded('OPTIONS', (_req, res) => {
        res.send(200, { headers: { Allow: allow, Accept: 'application/sdp' } });
        metrics.requests.labels('OPTIONS', 'answered').inc();
        return Promise.resolve();
      }),
    );
  };

  const connection = new DrachtioConnection({
    target,
    logger,
    install,
    onStateChange: (state: LinkState) => {
      metrics.connected.set(state === 'connected' ? 1 : 0);
    },
    onReconnect: () => {
      metrics.reconnects.inc();
    },
  });

  return {
    get state() {
      const link = connection.state;
      return link === 'stopped' ? 'off' : link;
    },
    registrations,
    start() {
      logger.info(
        { host: target.host, port: target.port, tls: target.tls !== undefined },
        'SIP edge starting',
      );
      connection.start();
    },
    async stop() {
      taking = false;
      await connection.stop();
      metrics.connected.set(0);
      logger.info('SIP edge stopped');
    },
  };
}

export function routingPolicy(settings: SipSettings): RoutingPolicy {
  return {
    ivrUri: settings.ivrUri,
    blockedNumbers: new Set(settings.blockedNumbers),
    isScanner: scannerMatcher(settings.scannerAgents),
    rejectAction: settings.rejectAction,
  };
}

function offEdge(registrations: RegistrationStore): SipEdge {
  return {
    state: 'off',
    registrations,
    start() {
      // Nothing to connect to; app.ts logged why.
    },
    stop: () => Promise.resolve(),
  };
}

export type { SipMetrics };
