import { z } from 'zod';
import { whole } from '../settings-fields';
import { queueIdPattern } from '../agents/acd/keys';
import { parseCallbackHours } from '../escalation/callback-hours';

/**
 * The digital channels' and escalations' settings: chat, SMS through
 * jambonz, email in and out, escalation links and callbacks. Kept beside
 * the channels so the variables and the code that obeys them change
 * together; config.ts still parses everything in one pass and reports all
 * problems at once.
 */

const e164 = /^\+[1-9]\d{6,14}$/;

const queueId = z
  .string()
  .trim()
  .regex(queueIdPattern, 'must be a queue id such as chat');

const httpUrl = z
  .string()
  .trim()
  .refine((text) => /^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(text), {
    error: 'must be an http(s):// URL',
  })
  .transform((text) => text.replace(/\/+$/, ''));

const smtpUrl = z
  .string()
  .trim()
  .refine((text) => /^smtps?:\/\/./.test(text) && URL.canParse(text), {
    error: 'must be an smtp:// or smtps:// URL',
  });

const mailAddress = z
  .string()
  .trim()
  .regex(
    /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/,
    'must be an address such as a@b.c',
  );

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a domain such as example.com');

export const channelEnvironment = {
  // Chat
  CHAT_MAX_FRAME_BYTES: whole(256, 1_048_576).default(16_384),
  CHAT_MESSAGES_PER_MINUTE: whole(1, 10_000).default(30),
  CHAT_RESUME_WINDOW_MINUTES: whole(1, 7 * 24 * 60).default(24 * 60),

  // The ACD queues each digital channel's contacts wait in
  CHAT_QUEUE: queueId.default('chat'),
  SMS_QUEUE: queueId.default('sms'),
  EMAIL_QUEUE: queueId.default('email'),

  // SMS through the jambonz REST API
  JAMBONZ_API_BASE_URL: httpUrl.optional(),
  JAMBONZ_ACCOUNT_SID: z.string().trim().min(1).optional(),
  JAMBONZ_API_KEY: z.string().trim().min(1).optional(),
  JAMBONZ_APPLICATION_SID: z.string().trim().min(1).optional(),
  SMS_FROM_NUMBER: z
    .string()
    .trim()
    .regex(e164, 'must be an E.164 number such as +14155550100')
    .optional(),
  SMS_PER_NUMBER_PER_HOUR: whole(1, 10_000).default(10),
  CALLS_PER_NUMBER_PER_HOUR: whole(1, 1_000).default(4),

  // Email
  SMTP_PORT: whole(0, 65535).default(2525),
  SMTP_HOST: z.string().trim().min(1).default('0.0.0.0'),
  SMTP_MAX_BYTES: whole(1024, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  SMTP_MESSAGES_PER_MINUTE: whole(1, 100_000).default(60),
  SMTP_SESSIONS_PER_IP: whole(1, 10_000).default(10),
  SMTP_URL: smtpUrl.optional(),
  EMAIL_FROM: mailAddress.default('support@bridgeline.localhost'),
  EMAIL_REPLY_DOMAIN: domain.default('bridgeline.localhost'),

  // Escalation: links and callbacks
  LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LINK_TTL_HOURS: whole(1, 24 * 30).default(24),
  CALLBACK_MAX_ATTEMPTS: whole(1, 10).default(3),
  CALLBACK_RETRY_MINUTES: whole(1, 24 * 60).default(10),
  CALLBACK_FLOW_ID: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a flow id such as callback')
    .default('callback'),
  /** When callbacks are placed: `always`, or e.g. `mon-fri 09:00-17:00`. */
  CALLBACK_HOURS: z.string().trim().min(1).default('always'),
  CALLBACK_TIMEZONE: z.string().trim().min(1).default('UTC'),
  /** Callbacks one instance rings at once. */
  CALLBACK_CONCURRENCY: whole(1, 100).default(2),
  /** The handle time a wait is estimated with until callbacks are timed. */
  CALLBACK_HANDLE_SECONDS: whole(10, 3600).default(240),
};

export const channelObject = z.object(channelEnvironment);
type ChannelEnvironment = z.output<typeof channelObject>;

/** The jambonz REST API: unset until all three of its variables are. */
export interface JambonzApiTarget {
  readonly baseUrl: string;
  readonly accountSid: string;
  readonly apiKey: string;
  /** Outbound calls use it when set, else call hooks on bridgeline. */
  readonly applicationSid: string | undefined;
}

export interface ChannelSettings {
  readonly chat: {
    readonly maxFrameBytes: number;
    readonly messagesPerMinute: number;
    readonly resumeWindowMs: number;
  };
  /** The ACD queue a customer's message on each channel waits in. */
  readonly queues: {
    readonly chat: string;
    readonly sms: string;
    readonly email: string;
  };
  readonly jambonzApi: JambonzApiTarget | undefined;
  readonly sms: {
    /** The number SMS are sent from; sending is off until it is set. */
    readonly from: string | undefined;
    readonly perNumberPerHour: number;
  };
  readonly calls: { readonly perNumberPerHour: number };
  readonly email: {
    readonly smtpPort: number;
    readonly smtpHost: string;
    readonly maxBytes: number;
    readonly messagesPerMinute: number;
    /** SMTP sessions one address may hold open at once. */
    readonly sessionsPerIp: number;
    /** Unset: outbound mail is written to DATA_DIR/outbox instead. */
    readonly smtpUrl: string | undefined;
    readonly from: string;
    /** Replies to reply+<token>@<domain> thread into their conversation. */
    readonly replyDomain: string;
  };
  readonly links: {
    /** Unset: kept in DATA_DIR/link-secret, created on first start. */
    readonly secret: string | undefined;
    readonly ttlMs: number;
  };
  readonly callbacks: {
    readonly maxAttempts: number;
    readonly retryMs: number;
    readonly flowId: string;
    readonly hours: string;
    readonly timezone: string;
    readonly concurrency: number;
    readonly handleMs: number;
  };
}

export interface SettingProblem {
  variable: string;
  message: string;
}

const jambonzVariables = [
  'JAMBONZ_API_BASE_URL',
  'JAMBONZ_ACCOUNT_SID',
  'JAMBONZ_API_KEY',
] as const;

/** The typed settings, plus what only makes sense across variables. */
export function channelSettings(e: ChannelEnvironment): {
  settings: ChannelSettings;
  problems: SettingProblem[];
} {
  const problems: SettingProblem[] = [];
  const set = jambonzVariables.filter((name) => e[name] !== undefined);
  if (set.length > 0 && set.length < jambonzVariables.length) {
    for (const variable of jambonzVariables) {
      if (e[variable] === undefined) {
        problems.push({
          variable,
          message: `required with ${set.join(', ')}`,
        });
      }
    }
  }

  try {
    parseCallbackHours(e.CALLBACK_HOURS, e.CALLBACK_TIMEZONE);
  } catch (err) {
    const text = (err as Error).message;
    const colon = text.indexOf(': ');
    problems.push({
      variable: text.slice(0, colon),
      message: text.slice(colon + 2),
    });
  }

  const jambonzApi =
    e.JAMBONZ_API_BASE_URL && e.JAMBONZ_ACCOUNT_SID && e.JAMBONZ_API_KEY
      ? Object.freeze({
          baseUrl: e.JAMBONZ_API_BASE_URL,
          accountSid: e.JAMBONZ_ACCOUNT_SID,
          apiKey: e.JAMBONZ_API_KEY,
          applicationSid: e.JAMBONZ_APPLICATION_SID,
        })
      : undefined;

  const settings: ChannelSettings = Object.freeze({
    chat: Object.freeze({
      maxFrameBytes: e.CHAT_MAX_FRAME_BYTES,
      messagesPerMinute: e.CHAT_MESSAGES_PER_MINUTE,
      resumeWindowMs: e.CHAT_RESUME_WINDOW_MINUTES * 60_000,
    }),
    queues: Object.freeze({
      chat: e.CHAT_QUEUE,
      sms: e.SMS_QUEUE,
      email: e.EMAIL_QUEUE,
    }),
    jambonzApi,
    sms: Object.freeze({
      from: e.SMS_FROM_NUMBER,
      perNumberPerHour: e.SMS_PER_NUMBER_PER_HOUR,
    }),
    calls: Object.freeze({ perNumberPerHour: e.CALLS_PER_NUMBER_PER_HOUR }),
    email: Object.freeze({
      smtpPort: e.SMTP_PORT,
      smtpHost: e.SMTP_HOST,
      maxBytes: e.SMTP_MAX_BYTES,
      messagesPerMinute: e.SMTP_MESSAGES_PER_MINUTE,
      sessionsPerIp: e.SMTP_SESSIONS_PER_IP,
      smtpUrl: e.SMTP_URL,
      from: e.EMAIL_FROM,
      replyDomain: e.EMAIL_REPLY_DOMAIN,
    }),
    links: Object.freeze({
      secret: e.LINK_SECRET,
      ttlMs: e.LINK_TTL_HOURS * 3_600_000,
    }),
    callbacks: Object.freeze({
      maxAttempts: e.CALLBACK_MAX_ATTEMPTS,
      retryMs: e.CALLBACK_RETRY_MINUTES * 60_000,
      flowId: e.CALLBACK_FLOW_ID,
      hours: e.CALLBACK_HOURS,
      timezone: e.CALLBACK_TIMEZONE,
      concurrency: e.CALLBACK_CONCURRENCY,
      handleMs: e.CALLBACK_HANDLE_SECONDS * 1000,
    }),
  });
  return { settings, problems };
}
