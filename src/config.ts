import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { commaList, whole } from './settings-fields';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import {
  channelEnvironment,
  channelSettings,
  type ChannelSettings,
} from './channels/settings';
import {
  sipEnvironment,
  sipSettings,
  type SipSettings,
} from './voice/sip/settings';

/**
 * Every setting bridgeline reads from its environment, parsed once at start.
 * Each entry documents itself; README.md lists the same variables. Problems
 * are collected, never thrown one at a time, so an operator fixes a broken
 * deployment in one pass.
 */

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

const hostPortList = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const nodes = text.split(',').map((entry) => {
      const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(entry.trim());
      return match?.[1] && match[2]
        ? { host: match[1], port: Number(match[2]) }
        : undefined;
    });
    if (nodes.some((node) => node === undefined) || nodes.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a comma-separated list of host:port',
      });
      return z.NEVER;
    }
    return nodes as { host: string; port: number }[];
  });

const redisUrl = z
  .string()
  .trim()
  .refine((text) => /^rediss?:\/\/./.test(text) && URL.canParse(text), {
    error: 'must be a redis:// or rediss:// URL',
  });

// TRANSFER_ALLOWLIST: the destinations a flow's transfer node may dial.
const transferTargets = commaList(
  (target) => /^(\+[1-9]\d{6,14}|sips?:[^\s@]+@\S+)$/.test(target),
  'E.164 numbers or sip: URIs',
);

// TRUSTED_PROXIES: the reverse proxies whose X-Forwarded-For names the
// client, as addresses or CIDR blocks.
const proxyList = commaList(
  isAddressOrBlock,
  'IP addresses or CIDR blocks such as 10.0.0.0/8',
);

function isAddressOrBlock(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) {
    return false;
  }
  if (prefix === undefined) {
    return true;
  }
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  return bits <= (family === 4 ? 32 : 128);
}

const publicBaseUrl = z
  .string()
  .trim()
  .refine((text) => /^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(text), {
    error: 'must be an http(s):// URL such as https://bl.example.com',
  })
  .transform((text) => text.replace(/\/+$/, ''));

const environment = z.object({
  PORT: whole(0, 65535).default(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  TRUSTED_PROXIES: proxyList.optional(),
  LOG_LEVEL: z
    .string()
    .trim()
    .refine((level) => logLevels.includes(level), {
      error: `must be one of ${logLevels.join(', ')}`,
    })
    .default('info'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  REDIS_URL: redisUrl.optional(),
  REDIS_SENTINELS: hostPortList.optional(),
  REDIS_SENTINEL_MASTER: z.string().trim().min(1).default('mymaster'),
  REDIS_CLUSTER_NODES: hostPortList.optional(),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_TLS: z.enum(['true', 'false']).default('false'),
  REDIS_SERVER_BIN: z.string().trim().min(1).default('redis-server'),
  PHONE_DEFAULT_REGION: z
    .string()
    .trim()
    .toUpperCase()
    .refine(isSupportedCountry, {
      error: 'must be an ISO 3166 alpha-2 country code such as US or GB',
    })
    .default('US'),
  TIMELINE_RETENTION_DAYS: whole(1, 36500).default(365),
  RETENTION_SWEEP_MINUTES: whole(1, 10080).default(60),
  CONTEXT_CARD_EVENTS: whole(1, 200).default(20),
  CONTEXT_CARD_CONVERSATIONS: whole(1, 50).default(10),
  SHUTDOWN_GRACE_MS: whole(0, 600000).default(10000),
  JAMBONZ_WEBHOOK_SECRET: z.string().min(1).optional(),
  TRANSFER_ALLOWLIST: transferTargets.default([]),
  PUBLIC_BASE_URL: publicBaseUrl.optional(),
  CALL_STATE_TTL_SECONDS: whole(60, 7 * 24 * 3600).default(4 * 3600),
  // How long a login lasts: hours, decimals allowed (0.5 is 30 minutes).
  SESSION_HOURS: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a number of hours such as 8 or 0.5')
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1 / 3600, 'must be at least one second')
        .max(720, 'must be at most 720 (30 days)'),
    )
    .default(8),
  // Failed logins per source IP, and per username, before a 15-minute lock.
  LOGIN_FAILURES_PER_15_MINUTES: whole(1, 10000).default(5),
  // The SIP edge's variables; see src/voice/sip/settings.ts.
  ...sipEnvironment,
  // Chat, SMS, email, links and callbacks; see src/channels/settings.ts.
  ...channelEnvironment,
});

export type RedisTarget =
  | { mode: 'embedded'; serverBin: string }
  | { mode: 'standalone'; url: string }
  | {
      mode: 'sentinel';
      sentinels: { host: string; port: number }[];
      master: string;
      password?: string;
      tls: boolean;
    }
  | {
      mode: 'cluster';
      nodes: { host: string; port: number }[];
      password?: string;
      tls: boolean;
    };

export interface Config {
  readonly port: number;
  readonly host: string;
  /**
   * Peers whose X-Forwarded-For is believed; empty: the client is the
   * socket's peer, whatever headers it sends.
   */
  readonly trustedProxies: readonly string[];
  readonly logLevel: string;
  readonly dataDir: string;
  /** Unset means: read or create DATA_DIR/admin-token at start. */
  readonly adminToken: string | undefined;
  readonly redis: RedisTarget;
  readonly phoneDefaultRegion: CountryCode;
  readonly retention: {
    readonly timelineMaxAgeMs: number;
    readonly sweepIntervalMs: number;
  };
  readonly card: { readonly events: number; readonly conversations: number };
  readonly shutdownGraceMs: number;
  readonly voice: {
    /** Unset: /jambonz/* webhooks are accepted unsigned (a warning says so). */
    readonly webhookSecret: string | undefined;
    readonly transferAllowlist: readonly string[];
    /** Unset: http://localhost:<the port actually bound>. */
    readonly publicBaseUrl: string | undefined;
    readonly callStateTtlSeconds: number;
  };
  readonly accounts: {
    /** SESSION_HOURS in seconds: a session's TTL and its cookie's Max-Age. */
    readonly sessionTtlSeconds: number;
    readonly loginFailuresPer15Minutes: number;
  };
  /** The SIP edge on drachtio-srf; off while DRACHTIO_HOST is unset. */
  readonly sip: SipSettings;
  /** Chat, SMS, email, escalation links and callbacks. */
  readonly channels: ChannelSettings;
}

export class ConfigError extends Error {
  readonly problems: { variable: string; message: string }[];

  constructor(problems: { variable: string; message: string }[]) {
    const lines = problems.map((p) => `  ${p.variable}: ${p.message}`);
    super(`bridgeline cannot start; fix these settings:\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(
    Object.entries(env).filter(
      ([, value]) => value !== undefined && value !== '',
    ),
  );
  const parsed = environment.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: issue.path.join('.'),
        message: issue.message,
      })),
    );
  }
  const e = parsed.data;

  const chosen = [
    e.REDIS_URL && 'REDIS_URL',
    e.REDIS_SENTINELS && 'REDIS_SENTINELS',
    e.REDIS_CLUSTER_NODES && 'REDIS_CLUSTER_NODES',
  ].filter((name): name is string => typeof name === 'string');
  if (chosen.length > 1) {
    throw new ConfigError(
      chosen.map((variable) => ({
        variable,
        message: `set only one of ${chosen.join(', ')}`,
      })),
    );
  }

  const sip = sipSettings(e);
  const channels = channelSettings(e);
  const problems = [...sip.problems, ...channels.problems];
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }

  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    trustedProxies: Object.freeze(e.TRUSTED_PROXIES ?? []),
    logLevel: e.LOG_LEVEL,
    dataDir: path.resolve(e.DATA_DIR),
    adminToken: e.ADMIN_TOKEN,
    redis: redisTarget(e),
    phoneDefaultRegion: e.PHONE_DEFAULT_REGION,
    retention: Object.freeze({
      timelineMaxAgeMs: e.TIMELINE_RETENTION_DAYS * DAY_MS,
      sweepIntervalMs: e.RETENTION_SWEEP_MINUTES * 60_000,
    }),
    card: Object.freeze({
      events: e.CONTEXT_CARD_EVENTS,
      conversations: e.CONTEXT_CARD_CONVERSATIONS,
    }),
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    voice: Object.freeze({
      webhookSecret: e.JAMBONZ_WEBHOOK_SECRET,
      transferAllowlist: Object.freeze(e.TRANSFER_ALLOWLIST),
      publicBaseUrl: e.PUBLIC_BASE_URL,
      callStateTtlSeconds: e.CALL_STATE_TTL_SECONDS,
    }),
    accounts: Object.freeze({
      sessionTtlSeconds: Math.max(1, Math.round(e.SESSION_HOURS * 3600)),
      loginFailuresPer15Minutes: e.LOGIN_FAILURES_PER_15_MINUTES,
    }),
    sip: sip.settings,
    channels: channels.settings,
  });
}

function redisTarget(e: z.infer<typeof environment>): RedisTarget {
  const tls = e.REDIS_TLS === 'true';
  const password = e.REDIS_PASSWORD;
  if (e.REDIS_URL) {
    return { mode: 'standalone', url: e.REDIS_URL };
  }
  if (e.REDIS_SENTINELS) {
    return {
      mode: 'sentinel',
      sentinels: e.REDIS_SENTINELS,
      master: e.REDIS_SENTINEL_MASTER,
      tls,
      ...(password === undefined ? {} : { password }),
    };
  }
  if (e.REDIS_CLUSTER_NODES) {
    return {
      mode: 'cluster',
      nodes: e.REDIS_CLUSTER_NODES,
      tls,
      ...(password === undefined ? {} : { password }),
    };
  }
  return { mode: 'embedded', serverBin: e.REDIS_SERVER_BIN };
}

/**
 * The names of every variable loadConfig reads, straight from the schema so
 * the list never drifts: deployment files (docker-compose.yml) are checked
 * against it, and a misspelt variable there fails a test instead of being
 * silently ignored at start.
 */
export const configVariables: readonly string[] = Object.freeze(
  Object.keys(environment.shape),
);
