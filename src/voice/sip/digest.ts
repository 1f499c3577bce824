import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * HTTP Digest as SIP uses it (RFC 3261 §22.4, with RFC 7616's SHA-256 and
 * RFC 8760 for SIP): pure functions to parse an Authorization header,
 * compute HA1 from a password and check a response against a stored HA1.
 * The nonce's freshness is for nonces.ts; this file never sees Redis.
 */

export const digestAlgorithms = ['SHA-256', 'MD5'] as const;
export type DigestAlgorithm = (typeof digestAlgorithms)[number];

export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm: DigestAlgorithm;
  /** Absent for RFC 2069-style clients; then nc and cnonce are too. */
  qop: 'auth' | undefined;
  nc: number | undefined;
  cnonce: string | undefined;
}

const MAX_HEADER = 4096;
const param =
  /\s*([A-Za-z0-9_-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^\s,"]*)\s*(,|$)/y;

/**
 * The Digest credentials of an Authorization header, or undefined when it
 * is not one we can check (another scheme, a missing field, an algorithm
 * we do not offer, qop=auth-int).
 */
export function parseAuthorization(
  header: string | undefined,
): DigestCredentials | undefined {
  if (header === undefined || header.length > MAX_HEADER) {
    return undefined;
  }
  const scheme = /^\s*Digest\s+/i.exec(header);
  if (!scheme) {
    return undefined;
  }
  const fields = new Map<string, string>();
  param.lastIndex = scheme[0].length;
  while (param.lastIndex < header.length) {
    const match = param.exec(header);
    if (!match?.[1]) {
      return undefined;
    }
    const value = match[3] ?? match[2] ?? '';
    fields.set(match[1].toLowerCase(), value.replace(/\\(.)/g, '$1'));
  }
  return credentialsOf(fields);
}

function credentialsOf(
  fields: Map<string, string>,
): DigestCredentials | undefined {
  const [username, realm, nonce, uri, response] = [
    'username',
    'realm',
    'nonce',
    'uri',
    'response',
  ].map((name) => fields.get(name));
  if (!username || !realm || !nonce || !uri || !response) {
    return undefined;
  }
  const algorithm = (fields.get('algorithm') ?? 'MD5').toUpperCase();
  if (algorithm !== 'MD5' && algorithm !== 'SHA-256') {
    return undefined;
  }
  const qop = fields.get('qop');
  if (qop === undefined) {
    return {
      ...{ username, realm, nonce, uri, response, algorithm },
      qop: undefined,
      nc: undefined,
      cnonce: undefined,
    };
  }
  const nc = fields.get('nc');
  const cnonce = fields.get('cnonce');
  if (qop !== 'auth' || !nc || !/^[0-9a-fA-F]{8}$/.test(nc) || !cnonce) {
    return undefined;
  }
  return {
    ...{ username, realm, nonce, uri, response, algorithm },
    qop,
    nc: Number.parseInt(nc, 16),
    cnonce,
  };
}

export function hash(algorithm: DigestAlgorithm, text: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256')
    .update(text, 'utf8')
    .digest('hex');
}

/** H(username:realm:password): what is stored instead of the password. */
export function computeHa1(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: string,
): string {
  return hash(algorithm, `${username}:${realm}:${password}`);
}

/** The response a client knowing the password would send (RFC 7616 §3.4.1). */
export function expectedResponse(
  credentials: DigestCredentials,
  ha1: string,
  method: string,
): string {
  const { algorithm, nonce, uri, qop, nc, cnonce } = credentials;
  const ha2 = hash(algorithm, `${method}:${uri}`);
  if (qop === undefined) {
    return hash(algorithm, `${ha1}:${nonce}:${ha2}`);
  }
  const ncHex = (nc ?? 0).toString(16).padStart(8, '0');
  return hash(
    algorithm,
    `${ha1}:${nonce}:${ncHex}:${cnonce ?? ''}:${qop}:${ha2}`,
  );
}

/** Compared in constant time: the response must not leak by timing. */
export function responseMatches(
  credentials: DigestCredentials,
  ha1: string,
  method: string,
): boolean {
  const expected = Buffer.from(expectedResponse(credentials, ha1, method));
  const given = Buffer.from(credentials.response.toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * WWW-Authenticate values, strongest first (RFC 8760 §2.4: a server offers
 * each algorithm in its own challenge, in order of preference).
 */
export function challenges(
  realm: string,
  nonce: string,
  stale: boolean,
): string[] {
  return digestAlgorithms.map(
    (algorithm) =>
      `Digest realm="${realm}", nonce="${nonce}", algorithm=${algorithm}, ` +
      `qop="auth"${stale ? ', stale=true' : ''}`,
  );
}
