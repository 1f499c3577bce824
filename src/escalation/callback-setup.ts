import type { CostLimits } from '../channels/cost-limits';
import type { Config } from '../config';
import type { ContextStore } from '../context/store';
import type { Logger } from '../log';
import type { RedisClient } from '../redis/connect';
import { jambonzDialer, type CallbackDialer } from './callback-dialer';
import { parseCallbackHours } from './callback-hours';
import { bullConnection, callbackQueue } from './callback-line';
import { CallbackOutcomes } from './callback-outcomes';
import type { CustomerNotifier } from './callback-requests';
import { CallbackService } from './callback-service';
import { CallbackWorker } from './callback-worker';

/**
 * Digital to callback, assembled: the service that takes requests, the
 * worker that places calls, and what the call webhooks tell them. The
 * queue and the worker get connections of their own (BullMQ blocks on
 * one), closed after the worker has let its jobs finish.
 */

export interface CallbackSetup {
  config: Config;
  redis: RedisClient;
  store: ContextStore;
  costLimits: CostLimits;
  logger: Logger;
  publicBaseUrl: () => string;
  now: () => Date;
  notifier?: CustomerNotifier;
  /** Tests place calls elsewhere; by default the jambonz REST API. */
  dialer?: CallbackDialer;
  /** Tests shorten these; see CallbackWorkerOptions. */
  closedRecheckMs?: number;
  lockMs?: number;
  /** false: requests only, no worker in this process (the bench). */
  work?: boolean;
}

export interface Callbacks {
  service: CallbackService;
  outcomes: CallbackOutcomes;
  start: () => Promise<void>;
  close: () => Promise<void>;
}

export function setUpCallbacks(setup: CallbackSetup): Callbacks {
  const settings = setup.config.channels.callbacks;
  const { jambonzApi, sms } = setup.config.channels;
  const logger = setup.logger.child({ component: 'callbacks' });
  const hours = parseCallbackHours(settings.hours, settings.timezone);
  const dialer =
    setup.dialer ??
    (jambonzApi && sms.from !== undefined
      ? jambonzDialer(jambonzApi, sms.from, setup.publicBaseUrl)
      : undefined);
  const queueConnection = bullConnection(setup.redis);
  const queue = callbackQueue(queueConnection);
  const service = new CallbackService({
    redis: setup.redis,
    store: setup.store,
    queue,
    hours,
    dialer,
    ...(setup.notifier ? { notifier: setup.notifier } : {}),
    logger,
    now: setup.now,
    handleMs: settings.handleMs,
  });
  const outcomes = new CallbackOutcomes({
    redis: setup.redis,
    service,
    flowId: settings.flowId,
    maxAttempts: settings.maxAttempts,
    retryMs: settings.retryMs,
  });
  const workerConnection = bullConnection(setup.redis);
  const worker =
    dialer && setup.work !== false
      ? new CallbackWorker({
          connection: workerConnection,
          redis: setup.redis,
          store: setup.store,
          service,
          dialer,
          costLimits: setup.costLimits,
          hours,
          logger,
          now: setup.now,
          concurrency: settings.concurrency,
          ...(setup.closedRecheckMs === undefined
            ? {}
            : { closedRecheckMs: setup.closedRecheckMs }),
          ...(setup.lockMs === undefined ? {} : { lockMs: setup.lockMs }),
        })
      : undefined;

  return {
    service,
    outcomes,
    start() {
      worker?.start();
      if (!dialer) {
        logger.info(
          'callbacks off: set the JAMBONZ_API_* variables and SMS_FROM_NUMBER',
        );
      }
      return Promise.resolve();
    },
    async close() {
      await worker?.close();
      await queue.close();
      await Promise.all([
        queueConnection.quit().catch(() => undefined),
        workerConnection.quit().catch(() => undefined),
      ]);
    },
  };
}
