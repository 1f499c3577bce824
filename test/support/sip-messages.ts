import { randomUUID } from 'node:crypto';

/**
 * Real SIP messages for the edge's wire tests, and just enough parsing to
 * assert on what comes back. Every factory makes its Via branch, tags and
 * Call-ID unique, so no two tests' transactions or dialogs can meet
 * (RFC 3261 §8.1.1.7, §19.3).
 */

const CRLF = '\r\n';

export interface SipMessage {
  startLine: string;
  headers: [name: string, value: string][];
  body: string;
}

export interface SipSource {
  address: string;
  port: number;
}

/** RFC 3261 §7.3.3: the one-letter forms a peer may send instead. */
const compactForms: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
};

function canonical(name: string): string {
  const lower = name.trim().toLowerCase();
  return compactForms[lower] ?? lower;
}

export function parseSip(raw: string): SipMessage {
  const split = raw.indexOf(CRLF + CRLF);
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  const [startLine = '', ...lines] = head.split(CRLF);
  const headers: [string, string][] = [];
  for (const line of lines) {
    const last = headers.at(-1);
    // RFC 3261 §7.3.1: a line starting with white space continues the last.
    if (/^[ \t]/.test(line) && last) {
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
  }
  return { startLine, headers, body };
}

export function serializeSip(message: SipMessage): string {
  const lines = message.headers
    .filter(([name]) => canonical(name) !== 'content-length')
    .map(([name, value]) => `${name}: ${value}`);
  const length = Buffer.byteLength(message.body, 'utf8');
  return [message.startLine, ...lines, `Content-Length: ${length}`]
    .join(CRLF)
    .concat(CRLF + CRLF + message.body);
}

/** Every value of a header, in order, whatever form its name took. */
export function headerValues(message: SipMessage, name: string): string[] {
  const wanted = canonical(name);
  return message.headers
    .filter(([key]) => canonical(key) === wanted)
    .map(([, value]) => value);
}

export function headerValue(
  message: SipMessage,
  name: string,
): string | undefined {
  return headerValues(message, name)[0];
}

/** A parameter of a header value, e.g. the tag of a To or a Via branch. */
export function headerParam(value: string, param: string): string | undefined {
  const match = new RegExp(`;\\s*${param}=([^;,\\s>]+)`, 'i').exec(value);
  return match?.[1];
}

export interface SipResponse {
  status: number;
  reason: string;
  message: SipMessage;
  raw: string;
  header(name: string): string | undefined;
}

export function parseResponse(raw: string): SipResponse {
  const message = parseSip(raw);
  const match = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(message.startLine);
  if (!match) {
    throw new Error(`not a SIP response: ${message.startLine}`);
  }
  return {
    status: Number(match[1]),
    reason: match[2] ?? '',
    message,
    raw,
    header: (name) => headerValue(message, name),
  };
}

// ---- what the SIP stack under drachtio-server adds ---------------------

/** Where a request came from, by its top Via (RFC 3261 §18.2.1). */
export function viaSource(request: SipMessage): SipSource {
  const via = headerValue(request, 'via') ?? '';
  const match = /SIP\/2\.0\/\S+\s+([^:;\s]+)(?::(\d+))?/i.exec(via);
  return {
    address: match?.[1] ?? '127.0.0.1',
    port: Number(match?.[2] ?? 5060),
  };
}

/** The host and port a SIP URI points at. */
export function uriTarget(uri: string): SipSource {
  const match = /^sips?:(?:[^@]*@)?([^:;>?]+)(?::(\d+))?/i.exec(uri);
  return { address: match?.[1] ?? '', port: Number(match?.[2] ?? 5060) };
}

function vias(request: SipMessage): [string, string][] {
  return headerValues(request, 'via').map((via) => ['Via', via]);
}

/**
 * A response as sofia-sip sends it for the application: the request's Via
 * headers, and a To tag on anything but 100 (RFC 3261 §8.2.6.2).
 */
export function uasResponse(
  request: SipMessage,
  fromApp: SipMessage,
  toTag: string,
): string {
  const status = Number(fromApp.startLine.split(' ')[1]);
  const headers = fromApp.headers
    .filter(([name]) => canonical(name) !== 'via')
    .map(([name, value]): [string, string] => {
      const addTag =
        canonical(name) === 'to' &&
        status > 100 &&
        headerParam(value, 'tag') === undefined;
      return [name, addTag ? `${value};tag=${toTag}` : value];
    });
  return serializeSip({
    startLine: fromApp.startLine,
    headers: [...vias(request), ...headers],
    body: fromApp.body,
  });
}

/**
 * The final response a proxy target sends back through the proxy: the
 * proxy's own Via on top (§16.6 step 8), a Contact on success, and the
 * proxy's Record-Route when it asked to stay in the dialog (§16.6 step 4).
 */
export function targetResponse(
  request: SipMessage,
  target: string,
  status: number,
  recordRoute: boolean,
): string {
  const headers: [string, string][] = [
    ['Via', `SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK${token()}`],
    ...vias(request),
    ['From', headerValue(request, 'from') ?? ''],
    ['To', `${headerValue(request, 'to') ?? ''};tag=${token()}`],
    ['Call-ID', headerValue(request, 'call-id') ?? ''],
    ['CSeq', headerValue(request, 'cseq') ?? ''],
  ];
  if (status < 300) {
    headers.push(['Contact', `<${target}>`]);
  }
  if (recordRoute) {
    headers.push(['Record-Route', '<sip:127.0.0.1:5060;lr>']);
  }
  const reason = status < 300 ? 'OK' : 'Busy Here';
  return serializeSip({
    startLine: `SIP/2.0 ${status} ${reason}`,
    headers,
    body: '',
  });
}

// ---- factories -------------------------------------------------------

let sourceSequence = 0;

/**
 * A source address of the test's own (TEST-NET-3, RFC 5737), so per-source
 * rate limits and failure counters never leak from one test to the next.
 */
export function aSource(): SipSource {
  sourceSequence += 1;
  const high = 100 + Math.floor(sourceSequence / 250);
  return { address: `203.0.${high}.${(sourceSequence % 250) + 1}`, port: 5060 };
}

/**
 * A random tag or branch suffix: 12 hex digits from a UUID, whose entropy
 * node draws in batches, where randomBytes asks the system every time (a
 * tenth of the bench peer's CPU).
 */
export function token(): string {
  return randomUUID().slice(-12);
}

function transactionHeaders(source: SipSource): [string, string][] {
  return [
    [
      'Via',
      `SIP/2.0/UDP ${source.address}:${source.port};branch=z9hG4bK${token()}`,
    ],
    ['Max-Forwards', '70'],
  ];
}

export interface InviteOptions {
  source?: SipSource;
  /** The E.164 number in From; 'anonymous' for a caller who hides it. */
  from?: string;
  /** The carrier-asserted identity (RFC 3325), when the trunk sends one. */
  pai?: string;
  /** Privacy: id, as a carrier sets for a withheld number (RFC 3323). */
  withheld?: boolean;
  to?: string;
  userAgent?: string;
  extraHeaders?: [string, string][];
}

const offer = [
  'v=0',
  'o=- 2890844526 2890844526 IN IP4 203.0.113.1',
  's=-',
  'c=IN IP4 203.0.113.1',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8 101',
  'a=rtpmap:101 telephone-event/8000',
  '',
].join(CRLF);

/** An INVITE from a carrier trunk, as drachtio-server receives it. */
export function anInvite(options: InviteOptions = {}): string {
  const source = options.source ?? aSource();
  const to = options.to ?? '+16285550000';
  const from = options.from ?? '+14155550100';
  const fromUri =
    from === 'anonymous'
      ? '"Anonymous" <sip:anonymous@anonymous.invalid>'
      : `<sip:${from}@${source.address};user=phone>`;
  const headers: [string, string][] = [
    ...transactionHeaders(source),
    ['From', `${fromUri};tag=${token()}`],
    ['To', `<sip:${to}@bridgeline.example.com>`],
    ['Call-ID', `${randomUUID()}@${source.address}`],
    ['CSeq', '1 INVITE'],
    ['Contact', `<sip:${from}@${source.address}:${source.port}>`],
  ];
  if (options.pai) {
    headers.push([
      'P-Asserted-Identity',
      `<sip:${options.pai}@carrier.example>`,
    ]);
  }
  if (options.withheld) {
    headers.push(['Privacy', 'id']);
  }
  if (options.userAgent) {
    headers.push(['User-Agent', options.userAgent]);
  }
  headers.push(...(options.extraHeaders ?? []));
  headers.push(['Content-Type', 'application/sdp']);
  return serializeSip({
    startLine: `INVITE sip:${to}@bridgeline.example.com SIP/2.0`,
    headers,
    body: offer,
  });
}

export interface RegisterOptions {
  user: string;
  domain?: string;
  source?: SipSource;
  authorization?: string;
  expires?: number;
  callId?: string;
  cseq?: number;
  userAgent?: string;
}

/** A softphone's REGISTER (RFC 3261 §10.2). */
export function aRegister(options: RegisterOptions): string {
  const source = options.source ?? aSource();
  const domain = options.domain ?? 'bridgeline.example.com';
  const aor = `sip:${options.user}@${domain}`;
  const headers: [string, string][] = [
    ...transactionHeaders(source),
    ['From', `<${aor}>;tag=${token()}`],
    ['To', `<${aor}>`],
    ['Call-ID', options.callId ?? `${randomUUID()}@${source.address}`],
    ['CSeq', `${options.cseq ?? 1} REGISTER`],
    [
      'Contact',
      `<sip:${options.user}@${source.address}:${source.port};transport=udp>`,
    ],
    ['Expires', String(options.expires ?? 3600)],
    ['User-Agent', options.userAgent ?? 'Linphone/5.2 (belle-sip/5.2)'],
  ];
  if (options.authorization) {
    headers.push(['Authorization', options.authorization]);
  }
  return serializeSip({
    startLine: `REGISTER sip:${domain} SIP/2.0`,
    headers,
    body: '',
  });
}

/** A keep-alive OPTIONS from the IVR platform or a trunk (§11). */
export function anOptions(source: SipSource = aSource()): string {
  return serializeSip({
    startLine: 'OPTIONS sip:bridgeline.example.com SIP/2.0',
    headers: [
      ...transactionHeaders(source),
      ['From', `<sip:ping@${source.address}>;tag=${token()}`],
      ['To', '<sip:bridgeline.example.com>'],
      ['Call-ID', `${randomUUID()}@${source.address}`],
      ['CSeq', '1 OPTIONS'],
      ['Accept', 'application/sdp'],
    ],
    body: '',
  });
}
