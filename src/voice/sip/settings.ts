import { z } from 'zod';
import { commaList, whole } from '../../settings-fields';

/**
 * The SIP edge's settings: the variables config.ts reads for it, and the
 * typed object they become. Kept beside the edge so the variables and the
 * code that obeys them change together; config.ts still parses everything
 * in one pass and reports all problems at once.
 */

const e164 = /^\+[1-9]\d{6,14}$/;
const sipUri = /^sips?:[^\s@]+@[^\s;?]+(;[^\s?]*)?$/;

export const sipEnvironment = {
  DRACHTIO_HOST: z.string().trim().min(1).optional(),
  DRACHTIO_PORT: whole(1, 65535).default(9022),
  DRACHTIO_SECRET: z.string().min(1).optional(),
  DRACHTIO_TLS: z.enum(['true', 'false']).default('false'),
  DRACHTIO_TLS_CA: z.string().trim().min(1).optional(),
  DRACHTIO_TLS_CERT: z.string().trim().min(1).optional(),
  DRACHTIO_TLS_KEY: z.string().trim().min(1).optional(),
  DRACHTIO_RECONNECT_MAX_MS: whole(100, 600000).default(30000),
  SIP_IVR_URI: z
    .string()
    .trim()
    .regex(sipUri, 'must be a SIP URI such as sip:ivr@jambonz.example.com')
    .optional(),
  SIP_ROUTING_MODE: z.enum(['proxy', 'redirect']).default('proxy'),
  SIP_LOOKUP_BUDGET_MS: whole(1, 150).default(50),
  SIP_BLOCKED_NUMBERS: commaList(
    (entry) => e164.test(entry),
    'E.164 numbers',
  ).default([]),
  SIP_SCANNER_AGENTS: commaList(
    (entry) => entry.length <= 64,
    'User-Agent fragments of at most 64 characters',
  ).default([]),
  SIP_REJECT_ACTION: z.enum(['403', '603', 'drop']).default('403'),
  SIP_RATE_LIMIT: whole(1, 100000).default(30),
  SIP_RATE_WINDOW_MS: whole(100, 3600000).default(2000),
  SIP_RATE_BLOCK_MS: whole(0, 86400000).default(60000),
  SIP_RATE_LIMIT_ACTION: z.enum(['503', 'drop']).default('503'),
  SIP_MAX_CALLS_IN_SETUP: whole(1, 100000).default(500),
  SIP_REALM: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.-]{1,128}$/, 'must be a host-like name')
    .default('bridgeline'),
  SIP_NONCE_TTL_S: whole(5, 3600).default(60),
  SIP_AUTH_MAX_FAILURES: whole(1, 1000).default(5),
  SIP_AUTH_FAILURE_WINDOW_MS: whole(1000, 86400000).default(60000),
  SIP_AUTH_BLOCK_MS: whole(0, 86400000).default(300000),
  SIP_AUTH_BLOCK_ACTION: z.enum(['403', 'drop']).default('403'),
  SIP_REGISTER_MIN_EXPIRES: whole(1, 86400).default(60),
  SIP_REGISTER_MAX_EXPIRES: whole(60, 86400).default(3600),
  // Where the desktop's softphone registers: SIP over WebSocket (RFC 7118)
  // on drachtio-server, e.g. wss://sip.example.com:8443. Unset: the
  // desktop says its softphone is offline.
  SIP_WS_URI: z
    .string()
    .trim()
    .refine((text) => /^wss?:\/\/[^/?#\s]+/.test(text) && URL.canParse(text), {
      error: 'must be a ws:// or wss:// URL',
    })
    .optional(),
  // The domain of agents' SIP addresses (sip:<user>@<domain>); unset, the
  // digest realm.
  SIP_DOMAIN: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.-]{1,253}$/, 'must be a domain such as example.com')
    .optional(),
};

export const sipObject = z.object(sipEnvironment);
type SipEnvironment = z.output<typeof sipObject>;

export type RejectAction = 403 | 603 | 'drop';

export interface DrachtioTarget {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
  /** File paths; the edge reads them when it connects. */
  readonly tls: { ca?: string; cert?: string; key?: string } | undefined;
  readonly reconnectMaxMs: number;
}

export interface SipSettings {
  /** Unset: the edge stays off and the rest of bridgeline runs. */
  readonly drachtio: DrachtioTarget | undefined;
  readonly ivrUri: string;
  readonly routingMode: 'proxy' | 'redirect';
  readonly lookupBudgetMs: number;
  readonly blockedNumbers: readonly string[];
  /** Added to the scanner User-Agents the edge knows already. */
  readonly scannerAgents: readonly string[];
  readonly rejectAction: RejectAction;
  readonly rateLimit: {
    readonly requests: number;
    readonly windowMs: number;
    readonly blockMs: number;
    readonly action: 503 | 'drop';
  };
  readonly maxCallsInSetup: number;
  readonly realm: string;
  readonly nonceTtlSeconds: number;
  readonly authFailures: {
    readonly max: number;
    readonly windowMs: number;
    readonly blockMs: number;
    readonly action: 403 | 'drop';
  };
  readonly registerExpires: { readonly min: number; readonly max: number };
  /** The softphone's SIP WebSocket; unset, the softphone is off. */
  readonly webSocketUri: string | undefined;
  /** sip:<user>@<domain> for agents' softphones. */
  readonly domain: string;
}

export interface SettingProblem {
  variable: string;
  message: string;
}

/** The typed settings, plus what only makes sense across variables. */
export function sipSettings(e: SipEnvironment): {
  settings: SipSettings;
  problems: SettingProblem[];
} {
  const problems: SettingProblem[] = [];
  if (e.DRACHTIO_HOST !== undefined) {
    for (const variable of ['DRACHTIO_SECRET', 'SIP_IVR_URI'] as const) {
      if (e[variable] === undefined) {
        problems.push({ variable, message: 'required with DRACHTIO_HOST' });
      }
    }
  }
  if (
    (e.DRACHTIO_TLS_CERT === undefined) !==
    (e.DRACHTIO_TLS_KEY === undefined)
  ) {
    problems.push({
      variable: 'DRACHTIO_TLS_CERT',
      message: 'set DRACHTIO_TLS_CERT and DRACHTIO_TLS_KEY together',
    });
  }
  if (e.SIP_REGISTER_MIN_EXPIRES > e.SIP_REGISTER_MAX_EXPIRES) {
    problems.push({
      variable: 'SIP_REGISTER_MIN_EXPIRES',
      message: 'must not exceed SIP_REGISTER_MAX_EXPIRES',
    });
  }

  const tls =
    e.DRACHTIO_TLS === 'true'
      ? Object.freeze({
          ...(e.DRACHTIO_TLS_CA === undefined ? {} : { ca: e.DRACHTIO_TLS_CA }),
          ...(e.DRACHTIO_TLS_CERT === undefined
            ? {}
            : { cert: e.DRACHTIO_TLS_CERT }),
          ...(e.DRACHTIO_TLS_KEY === undefined
            ? {}
            : { key: e.DRACHTIO_TLS_KEY }),
        })
      : undefined;
  const drachtio =
    e.DRACHTIO_HOST === undefined
      ? undefined
      : Object.freeze({
          host: e.DRACHTIO_HOST,
          port: e.DRACHTIO_PORT,
          secret: e.DRACHTIO_SECRET ?? '',
          tls,
          reconnectMaxMs: e.DRACHTIO_RECONNECT_MAX_MS,
        });

  const settings: SipSettings = Object.freeze({
    drachtio,
    ivrUri: e.SIP_IVR_URI ?? '',
    routingMode: e.SIP_ROUTING_MODE,
    lookupBudgetMs: e.SIP_LOOKUP_BUDGET_MS,
    blockedNumbers: Object.freeze(e.SIP_BLOCKED_NUMBERS),
    scannerAgents: Object.freeze(e.SIP_SCANNER_AGENTS),
    rejectAction:
      e.SIP_REJECT_ACTION === 'drop'
        ? 'drop'
        : (Number(e.SIP_REJECT_ACTION) as RejectAction),
    rateLimit: Object.freeze({
      requests: e.SIP_RATE_LIMIT,
      windowMs: e.SIP_RATE_WINDOW_MS,
      blockMs: e.SIP_RATE_BLOCK_MS,
      action: e.SIP_RATE_LIMIT_ACTION === 'drop' ? 'drop' : 503,
    }),
    maxCallsInSetup: e.SIP_MAX_CALLS_IN_SETUP,
    realm: e.SIP_REALM,
    nonceTtlSeconds: e.SIP_NONCE_TTL_S,
    authFailures: Object.freeze({
      max: e.SIP_AUTH_MAX_FAILURES,
      windowMs: e.SIP_AUTH_FAILURE_WINDOW_MS,
      blockMs: e.SIP_AUTH_BLOCK_MS,
      action: e.SIP_AUTH_BLOCK_ACTION === 'drop' ? 'drop' : 403,
    }),
    registerExpires: Object.freeze({
      min: e.SIP_REGISTER_MIN_EXPIRES,
      max: e.SIP_REGISTER_MAX_EXPIRES,
    }),
    webSocketUri: e.SIP_WS_URI,
    domain: e.SIP_DOMAIN ?? e.SIP_REALM,
  });
  return { settings, problems };
}
