import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Phone numbers, emails and chat handles are personal data: logs keep just
 * enough of them to tell two apart at 3 a.m. and no more.
 */
export function maskPhone(phone: string): string {
  if (phone.length <= 6) {
    return '*'.repeat(phone.length);
  }
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 5)}${phone.slice(-2)}`;
}

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) {
    return '***';
  }
  return `${email[0] ?? ''}***@${email.slice(at + 1)}`;
}

export function maskIdentifier(kind: string, value: string): string {
  if (kind === 'phone') {
    return maskPhone(value);
  }
  if (kind === 'email') {
    return maskEmail(value);
  }
  return value.length <= 4 ? '****' : `${value.slice(0, 4)}****`;
}

// Query parameters that name a person, or (token) let someone act for a
// call; their values never reach a log line whole.
const personalParams = new Set([
  'phone',
  'email',
  'chat',
  'from',
  'to',
  'token',
]);

/** The URL with the values of personal query parameters masked. */
export function maskUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) {
    return maskPathIdentities(url);
  }
  const params = new URLSearchParams(url.slice(q + 1));
  for (const [key, value] of params) {
    if (personalParams.has(key)) {
      params.set(key, maskIdentifier(key, value));
    }
  }
  return `${maskPathIdentities(url.slice(0, q))}?${params.toString()}`;
}

// DELETE /api/customers/:id/identities/:kind/:value carries one in its path.
function maskPathIdentities(path: string): string {
  return path.replace(
    /\/identities\/(phone|email|chat)\/([^/?]+)/,
    (_match, kind: string, value: string) =>
      `/identities/${kind}/${maskIdentifier(kind, decodeURIComponent(value))}`,
  );
}

interface LoggedRequest {
  method: string;
  url: string;
  id?: string;
  ip?: string;
}

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'bridgeline' },
    serializers: {
      req: (req: LoggedRequest) => ({
        method: req.method,
        url: maskUrl(req.url),
        ip: req.ip,
      }),
      err: pino.stdSerializers.err,
    },
  });
}
