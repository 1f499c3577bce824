/**
 * The checks a request must pass before the edge acts on it. drachtio-srf
 * parses leniently and drachtio-server's stack lets some malformed
 * messages through, so the edge reads the raw request once more and
 * refuses what RFC 3261 says a UAS or proxy must refuse, rather than
 * routing a call on a message it only half understood. RFC 4475 §3.1.2
 * and §3.3 are the catalogue of such messages. A request that passes is
 * routed on the header fields read here, so what was checked is what
 * decides.
 */

export interface SipRefusal {
  status: number;
  /** A reason phrase that names the fault, for the sender's logs. */
  reason: string;
  headers?: Record<string, string>;
}

/**
 * The header fields of a request that passed, as the checks read them:
 * by lower-case name, compact forms spelled out, the values of a repeated
 * header joined into one list (§7.3.1 makes the two the same).
 */
export interface CheckedHeaders {
  get(name: string): string | undefined;
}

export type RequestCheck =
  { ok: true; headers: CheckedHeaders } | { ok: false; refusal: SipRefusal };

/** How the edge stands to the request: UAS for OPTIONS and REGISTER. */
export type EdgeRole = 'proxy' | 'uas';

interface RawRequest {
  method: string;
  uri: string;
  version: string;
  headers: Map<string, string[]>;
  bodyBytes: number;
}

// RFC 3261 §7.3.3: the compact forms, so `l:` and `Content-Length:` count
// as the same header.
const compact: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  e: 'content-encoding',
  s: 'subject',
};

// §8.1.1: without these no transaction can be matched or answered.
// Max-Forwards is left out: §16.3 step 3 has a proxy add it when missing
// (an RFC 2543 client, RFC 4475 §3.4.1, never sends one).
const mandatory = ['to', 'from', 'call-id', 'cseq', 'via'];
// §20: header fields that may appear once only.
const singular = [
  'to',
  'from',
  'call-id',
  'cseq',
  'max-forwards',
  'content-length',
  'content-type',
];
const addressHeaders = ['to', 'from'];
const token = "[-A-Za-z0-9.!%*_+`'~]+";
const tokenOnly = new RegExp(`^${token}$`);
// §25.1: SIP-Version, with the linear white space §7.3.1 allows nowhere.
const requestLine = /^(\S+) (\S+) (SIP\/\d+\.\d+)$/;
const rfc1123 =
  /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const maxCSeq = 2 ** 31;

const bad = (reason: string): SipRefusal => ({ status: 400, reason });

export function checkRequest(raw: string, role: EdgeRole): RequestCheck {
  const refusal = (found: SipRefusal) => ({
    ok: false as const,
    refusal: found,
  });
  const request = readRequest(raw);
  if (request === null) {
    return refusal(bad('Malformed Request'));
  }
  if (request.version !== 'SIP/2.0') {
    // §8.2.2 leaves the answer to 505 Version Not Supported (§21.5.7).
    return refusal({ status: 505, reason: 'Version Not Supported' });
  }
  const found =
    checkUri(request.uri) ??
    checkHeaders(request) ??
    checkAddresses(request) ??
    checkVias(request) ??
    checkExtensions(request, role) ??
    checkHops(request, role);
  if (found) {
    return refusal(found);
  }
  const { headers } = request;
  return {
    ok: true,
    headers: { get: (name) => headers.get(name)?.join(', ') },
  };
}

/** §16.3 step 3: a proxy may not forward a request with no hops left. */
function checkHops(request: RawRequest, role: EdgeRole): SipRefusal | null {
  const hops = request.headers.get('max-forwards')?.[0];
  if (role === 'proxy' && hops !== undefined && Number(hops) === 0) {
    return { status: 483, reason: 'Too Many Hops' };
  }
  return null;
}

function readRequest(raw: string): RawRequest | null {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  // §7: lines end in CRLF; a bare CR or LF inside one is no line end and
  // no header character either.
  if (/\r(?!\n)|(?<!\r)\n/.test(head)) {
    return null;
  }
  const [start = '', ...lines] = head.split('\r\n');
  const line = requestLine.exec(start);
  if (line === null) {
    return null;
  }
  const headers = new Map<string, string[]>();
  let last: string[] | undefined;
  for (const text of lines) {
    // §7.3.1: a line starting with white space continues the one before.
    if (/^[ \t]/.test(text) && last !== undefined) {
      last[last.length - 1] = `${last.at(-1) ?? ''} ${text.trim()}`.trim();
      continue;
    }
    const colon = text.indexOf(':');
    const name = text.slice(0, colon).trim().toLowerCase();
    if (colon < 1 || !tokenOnly.test(name)) {
      return null;
    }
    const key = compact[name] ?? name;
    last = headers.get(key) ?? [];
    last.push(text.slice(colon + 1).trim());
    headers.set(key, last);
  }
  return {
    method: line[1] ?? '',
    uri: line[2] ?? '',
    version: line[3] ?? '',
    headers,
    bodyBytes: Buffer.byteLength(body, 'utf8'),
  };
}

function checkUri(uri: string): SipRefusal | null {
  const scheme = /^([A-Za-z][-A-Za-z0-9+.]*):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    return bad('Malformed Request-URI');
  }
  if (!['sip', 'sips', 'tel'].includes(scheme)) {
    // §8.2.2.1: a scheme the edge does not understand.
    return { status: 416, reason: 'Unsupported URI Scheme' };
  }
  // §19.1.1: a SIP URI names a host; `sip:` or `sip:user@` names nothing.
  if (/[:@]$/.test(uri)) {
    return bad('Malformed Request-URI');
  }
  // §19.1.5: headers are not allowed in a Request-URI; a '?' in the user
  // part is only a character (§25.1 user-unreserved, RFC 4475 §3.1.1.2).
  const afterUser = uri.slice(uri.lastIndexOf('@') + 1);
  if (/[<>"]/.test(uri) || afterUser.includes('?')) {
    return bad('Malformed Request-URI');
  }
  return null;
}

function checkHeaders(request: RawRequest): SipRefusal | null {
  const { headers } = request;
  const missing = mandatory.find((name) => !headers.has(name));
  if (missing !== undefined) {
    return bad(`Missing ${missing}`);
  }
  const repeated = singular.find(
    (name) => (headers.get(name)?.length ?? 0) > 1,
  );
  if (repeated !== undefined) {
    return bad(`Repeated ${repeated}`);
  }
  // §25.1: Call-ID is word ["@" word], visible ASCII only.
  if (!/^[\x21-\x7e]+$/.test(first(headers, 'call-id'))) {
    return bad('Malformed Call-ID');
  }
  const cseq = /^(\d{1,10})\s+(\S+)$/.exec(first(headers, 'cseq'));
  if (cseq === null || Number(cseq[1]) >= maxCSeq) {
    return bad('Malformed CSeq');
  }
  if (cseq[2] !== request.method) {
    return bad('CSeq Method Mismatch');
  }
  const length = headers.get('content-length')?.[0];
  // §18.3: a body shorter than Content-Length is a 400 over UDP; the
  // drachtio-server delivers whole messages, so shorter is never coming.
  if (
    length !== undefined &&
    (!/^\d{1,10}$/.test(length) || Number(length) > request.bodyBytes)
  ) {
    return bad('Bad Content-Length');
  }
  const hops = headers.get('max-forwards')?.[0];
  if (hops !== undefined && (!/^\d{1,9}$/.test(hops) || Number(hops) > 255)) {
    return bad('Malformed Max-Forwards');
  }
  const date = headers.get('date')?.[0];
  if (date !== undefined && !rfc1123.test(date)) {
    // §20.17: always GMT, in the RFC 1123 form.
    return bad('Malformed Date');
  }
  return null;
}

function checkAddresses(request: RawRequest): SipRefusal | null {
  for (const name of addressHeaders) {
    if (!isAddress(first(request.headers, name))) {
      return bad(`Malformed ${name}`);
    }
  }
  for (const contact of request.headers.get('contact') ?? []) {
    const values = splitTopLevel(contact);
    if (contact !== '*' && !values.every((value) => isAddress(value))) {
      return bad('Malformed contact');
    }
  }
  return null;
}

// §20.42, with the LWS that SLASH and SEMI allow around them (§25.1).
const sentBy = new RegExp(
  `^SIP\\s*/\\s*2\\.0\\s*/\\s*${token}\\s+[^\\s;,]+` +
    `(?:\\s*;\\s*${token}(?:\\s*=\\s*[^\\s;,]+)?)*$`,
);

function checkVias(request: RawRequest): SipRefusal | null {
  for (const header of request.headers.get('via') ?? []) {
    const vias = splitTopLevel(header);
    if (vias.length === 0 || !vias.every((via) => sentBy.test(via))) {
      return bad('Malformed Via');
    }
  }
  return null;
}

/**
 * §8.2.2.3: a UAS refuses a Require it does not support with 420 and an
 * Unsupported listing them; a proxy does so for Proxy-Require (§16.3 step
 * 5). The edge supports no extension that a peer may require.
 */
function checkExtensions(request: RawRequest, role: EdgeRole) {
  if (['ACK', 'CANCEL'].includes(request.method)) {
    return null;
  }
  const header = role === 'uas' ? 'require' : 'proxy-require';
  const required = (request.headers.get(header) ?? [])
    .flatMap((value) => value.split(','))
    .map((option) => option.trim())
    .filter((option) => option.length > 0);
  if (required.length === 0) {
    return null;
  }
  return {
    status: 420,
    reason: 'Bad Extension',
    headers: { Unsupported: required.join(', ') },
  };
}

function first(headers: Map<string, string[]>, name: string): string {
  return headers.get(name)?.[0] ?? '';
}

/** Splits on commas outside quotes and angle brackets (§7.3.1). */
function splitTopLevel(value: string): string[] {
  if (!value.includes(',')) {
    return [value.trim()];
  }
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i += 1) {
    const char = value[i];
    if (quoted && char === '\\') {
      // A quoted pair: the escaped character is no delimiter.
      i += 1;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && char === '<') {
      depth += 1;
    } else if (!quoted && char === '>') {
      depth -= 1;
    } else if (!quoted && depth === 0 && char === ',') {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts;
}

const quotedString = '"(?:[^"\\\\]|\\\\[\\s\\S])*"';
const displayName = `(?:${quotedString}|${token}(?:\\s+${token})*)`;
const params = `(?:\\s*;\\s*${token}(?:\\s*=\\s*(?:${quotedString}|[^\\s;,"<>]+))?)*`;
// §20.10: an addr-spec outside <> may hold no comma, semicolon or '?'.
const nameAddr = new RegExp(
  `^(?:${displayName}\\s*)?<[A-Za-z][-A-Za-z0-9+.]*:[^\\s<>]+>${params}$`,
);
const addrSpec = new RegExp(`^[A-Za-z][-A-Za-z0-9+.]*:[^\\s;,?<>"]+${params}$`);

function isAddress(value: string): boolean {
  return nameAddr.test(value) || addrSpec.test(value);
}
