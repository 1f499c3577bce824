import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config';
import type { ContextStore } from '../../context/store';
import type { CallbackRequests } from '../../escalation/callback-requests';
import type { Logger } from '../../log';
import type { RedisClient } from '../../redis/connect';
import { CostLimits } from '../cost-limits';
import type { Journeys } from '../journeys';
import { EmailInbound } from './inbound';
import { SmtpListener } from './listener';
import { emailReplyRoute } from './routes';
import { SmtpEmailSender } from './sender';
import { SenderRate } from './sender-rate';
import { EmailThreads } from './threads';

/**
 * Email, assembled: the SMTP listener mail comes in by, the sender every
 * part of bridgeline emails through, and the agents' reply route.
 */

/**
 * Emails to one address in any hour. Generous for a conversation, and
 * far below what gets a sending domain listed.
 */
export const emailsPerAddressPerHour = 30;

export interface EmailSetup {
  config: Config;
  store: ContextStore;
  redis: RedisClient;
  journeys: Journeys;
  logger: Logger;
  callbacks: () => CallbackRequests | undefined;
  now: () => Date;
}

export interface EmailChannel {
  sender: SmtpEmailSender;
  /** Under /api, behind the admin token. */
  replyRoute: (api: FastifyInstance) => void;
  /** The SMTP port bound, once started. */
  smtpPort: () => number | undefined;
  /** Binds the SMTP listener. */
  start: () => Promise<void>;
  /** Stops the listener, lets callback requests in flight finish. */
  close: () => Promise<void>;
}

export function setUpEmail(setup: EmailSetup): EmailChannel {
  const log = setup.logger.child({ channel: 'email' });
  const settings = setup.config.channels.email;
  const threads = new EmailThreads(setup.redis, settings.replyDomain);
  const limits = new CostLimits(
    setup.redis,
    {
      sms: setup.config.channels.sms.perNumberPerHour,
      call: setup.config.channels.calls.perNumberPerHour,
      email: emailsPerAddressPerHour,
    },
    () => setup.now().getTime(),
  );
  const sender = new SmtpEmailSender(
    setup.store,
    threads,
    limits,
    {
      smtpUrl: settings.smtpUrl,
      from: settings.from,
      replyDomain: settings.replyDomain,
      outboxDir: path.join(setup.config.dataDir, 'outbox'),
    },
    log,
  );
  setup.store.keepsFiles(sender);
  if (!sender.relayed) {
    log.info(
      { outbox: path.join(setup.config.dataDir, 'outbox') },
      'email is written to the outbox: set SMTP_URL to send it',
    );
  }
  const inbound = new EmailInbound({
    store: setup.store,
    journeys: setup.journeys,
    threads,
    callbacks: setup.callbacks,
    log,
  });
  const listener = new SmtpListener(
    inbound,
    new SenderRate(setup.redis, settings.messagesPerMinute, () =>
      setup.now().getTime(),
    ),
    {
      host: settings.smtpHost,
      port: settings.smtpPort,
      maxBytes: settings.maxBytes,
      sessionsPerIp: settings.sessionsPerIp,
      closeTimeoutMs: setup.config.shutdownGraceMs,
    },
    log,
  );
  return {
    sender,
    replyRoute: emailReplyRoute(setup.store, sender),
    smtpPort: () => listener.port,
    start: async () => {
      await listener.listen();
    },
    close: async () => {
      await listener.close();
      await inbound.drain();
      sender.close();
    },
  };
}
