import { createHash } from 'node:crypto';
import { token } from './sip-messages';

/**
 * A softphone's side of SIP digest authentication (RFC 2617 §3.2.2, as
 * RFC 3261 §22.4 uses it): read a challenge, answer it with a password.
 */

export interface DigestAnswer {
  challenge: string;
  user: string;
  password: string;
  method: string;
  uri: string;
  nc?: string;
  cnonce?: string;
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** The parameters of a WWW-Authenticate: Digest challenge. */
export function digestParams(challenge: string): Record<string, string> {
  const params: Record<string, string> = {};
  const pattern = /([a-z0-9-]+)=(?:"([^"]*)"|([^,\s]+))/gi;
  for (const match of challenge.replace(/^Digest\s+/i, '').matchAll(pattern)) {
    const name = match[1];
    if (name) {
      params[name.toLowerCase()] = match[2] ?? match[3] ?? '';
    }
  }
  return params;
}

/** The Authorization header a softphone sends back, MD5 with qop=auth. */
export function digestAuthorization(answer: DigestAnswer): string {
  const params = digestParams(answer.challenge);
  const realm = params.realm ?? '';
  const nonce = params.nonce ?? '';
  const nc = answer.nc ?? '00000001';
  const cnonce = answer.cnonce ?? token();
  const ha1 = md5(`${answer.user}:${realm}:${answer.password}`);
  const ha2 = md5(`${answer.method}:${answer.uri}`);
  const qop = params.qop?.split(',').map((q) => q.trim());
  const withQop = qop?.includes('auth') ?? false;
  const response = withQop
    ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`)
    : md5(`${ha1}:${nonce}:${ha2}`);
  const fields = [
    `username="${answer.user}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${answer.uri}"`,
    `response="${response}"`,
    'algorithm=MD5',
  ];
  if (withQop) {
    fields.push('qop=auth', `nc=${nc}`, `cnonce="${cnonce}"`);
  }
  if (params.opaque !== undefined) {
    fields.push(`opaque="${params.opaque}"`);
  }
  return `Digest ${fields.join(', ')}`;
}
