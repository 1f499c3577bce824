import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config';
import type { ContextStore } from '../../context/store';
import type { CallbackRequests } from '../../escalation/callback-requests';
import type { Logger } from '../../log';
import type { RedisClient } from '../../redis/connect';
import type { CostLimits } from '../cost-limits';
import type { Journeys } from '../journeys';
import { SmsInbound } from './inbound';
import { smsReplyRoute, smsWebhook } from './routes';
import { JambonzSmsSender } from './sender';

/**
 * SMS through jambonz, assembled: the sender every part of bridgeline
 * texts through, the messaging webhook and the agents' reply route.
 */

export interface SmsSetup {
  config: Config;
  store: ContextStore;
  redis: RedisClient;
  journeys: Journeys;
  costLimits: CostLimits;
  logger: Logger;
  callbacks: () => CallbackRequests | undefined;
}

export interface SmsChannel {
  sender: JambonzSmsSender;
  /** Under /jambonz, behind the signature check. */
  webhook: (scope: FastifyInstance) => void;
  /** Under /api, behind the admin token. */
  replyRoute: (api: FastifyInstance) => void;
  /** Lets the keyword answers in flight finish. */
  close: () => Promise<void>;
}

export function setUpSms(setup: SmsSetup): SmsChannel {
  const log = setup.logger.child({ channel: 'sms' });
  const sender = new JambonzSmsSender(
    setup.store,
    setup.costLimits,
    {
      api: setup.config.channels.jambonzApi,
      from: setup.config.channels.sms.from,
    },
    log,
  );
  if (!sender.configured) {
    log.info(
      'SMS sending is off: set the JAMBONZ_API_* variables and SMS_FROM_NUMBER',
    );
  }
  const inbound = new SmsInbound({
    redis: setup.redis,
    store: setup.store,
    journeys: setup.journeys,
    sender,
    callbacks: setup.callbacks,
    log,
  });
  return {
    sender,
    webhook: smsWebhook(inbound),
    replyRoute: smsReplyRoute(setup.store, sender),
    close: () => inbound.drain(),
  };
}
