/**
 * A seeded mutator of valid INVITEs and REGISTERs: the same seed gives the
 * same variants on every run and machine, so a failing variant is found
 * again by its index. Each variant is a well-formed message with one to
 * three mutations of the kinds a hostile or broken peer sends.
 */

const CRLF = '\r\n';

/** mulberry32: small, fast, and enough for choosing mutations. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T => {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) {
    throw new Error('pick from an empty list');
  }
  return item;
};
const between = (random: Random, low: number, high: number) =>
  low + Math.floor(random() * (high - low + 1));
const hex = (random: Random, length: number) =>
  Array.from({ length }, () => between(random, 0, 15).toString(16)).join('');

export interface Variant {
  index: number;
  method: 'INVITE' | 'REGISTER';
  mutations: string[];
  raw: string;
}

const sdp = [
  'v=0',
  'o=- 2890844526 2890844526 IN IP4 203.0.113.1',
  's=-',
  'c=IN IP4 203.0.113.1',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8 101',
  'a=rtpmap:101 telephone-event/8000',
  '',
].join(CRLF);

function baseInvite(random: Random, index: number): string[] {
  const from = `+1415555${String(between(random, 0, 9999)).padStart(4, '0')}`;
  return [
    'INVITE sip:+16285550000@bridgeline.example.com SIP/2.0',
    `Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK${hex(random, 12)}`,
    'Max-Forwards: 70',
    `From: <sip:${from}@198.51.100.7;user=phone>;tag=${hex(random, 8)}`,
    'To: <sip:+16285550000@bridgeline.example.com>',
    `Call-ID: fuzz-${index}-${hex(random, 16)}@198.51.100.7`,
    'CSeq: 1 INVITE',
    `Contact: <sip:${from}@198.51.100.7:5060>`,
    'User-Agent: carrier-sbc/4.2',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
  ];
}

function baseRegister(random: Random, index: number): string[] {
  const user = `70${String(between(random, 0, 99)).padStart(2, '0')}`;
  return [
    'REGISTER sip:bridgeline.example.com SIP/2.0',
    `Via: SIP/2.0/UDP 198.51.100.9:5060;branch=z9hG4bK${hex(random, 12)}`,
    'Max-Forwards: 70',
    `From: <sip:${user}@bridgeline.example.com>;tag=${hex(random, 8)}`,
    `To: <sip:${user}@bridgeline.example.com>`,
    `Call-ID: fuzz-${index}-${hex(random, 16)}@198.51.100.9`,
    `CSeq: ${between(random, 1, 9999)} REGISTER`,
    `Contact: <sip:${user}@198.51.100.9:5060;transport=udp>`,
    'Expires: 3600',
    'User-Agent: Linphone/5.2 (belle-sip/5.2)',
    'Content-Length: 0',
  ];
}

interface Message {
  startLine: string;
  headers: string[];
  body: string;
}

type Mutation = (message: Message, random: Random) => void;

const oddTexts = [
  '\u0000',
  '\u00ff\u00fe',
  '\ufffd',
  '\ud83d\ude00',
  '%00',
  '%ZZ',
  '\u202e',
  '\t',
  '"',
  '<',
  '>;;;',
  ',,,',
  'sip:',
  '\\',
  '=?utf-8?b?AAAA?=',
  '\r',
  '\n',
];

const headerIndex = (message: Message, random: Random) =>
  between(random, 0, Math.max(0, message.headers.length - 1));

/** Each named mutation changes the message in place. */
const mutations: Record<string, Mutation> = {
  flipByte(message, random) {
    const text = message.headers.join(CRLF);
    const at = between(random, 0, Math.max(0, text.length - 1));
    const code = text.charCodeAt(at) ^ (1 << between(random, 0, 7));
    const flipped = text.slice(0, at) + String.fromCharCode(code);
    message.headers = (flipped + text.slice(at + 1)).split(CRLF);
  },
  truncate(message, random) {
    const text = [message.startLine, ...message.headers].join(CRLF);
    const cut = text.slice(0, between(random, 0, text.length));
    const [startLine = '', ...headers] = cut.split(CRLF);
    Object.assign(message, { startLine, headers, body: '' });
  },
  duplicateHeader(message, random) {
    const at = headerIndex(message, random);
    message.headers.splice(at, 0, message.headers[at] ?? 'Via: x');
  },
  removeHeader(message, random) {
    message.headers.splice(headerIndex(message, random), 1);
  },
  hugeValue(message, random) {
    const at = headerIndex(message, random);
    const name = (message.headers[at] ?? 'X').split(':')[0] ?? 'X';
    const filler = pick(random, ['9', 'a', '%41', ';p', ',', ' ']);
    message.headers[at] =
      `${name}: ${filler.repeat(between(random, 1e3, 2e4))}`;
  },
  oddEncoding(message, random) {
    const at = headerIndex(message, random);
    const header = message.headers[at] ?? '';
    const cut = between(random, 0, header.length);
    const odd = pick(random, oddTexts);
    message.headers[at] = header.slice(0, cut) + odd + header.slice(cut);
  },
  badContentLength(message, random) {
    message.headers = message.headers.filter(
      (header) => !/^content-length\s*:/i.test(header),
    );
    const value = pick(random, [
      '-1',
      '99999999999999999999',
      'abc',
      '',
      '0x10',
      '1e3',
      String(between(random, 0, 4000)),
    ]);
    message.headers.push(`Content-Length: ${value}`);
  },
  missingCrlf(message, random) {
    const at = headerIndex(message, random);
    const next = message.headers[at + 1] ?? '';
    const glue = pick(random, ['', '\n', '\r', ' ']);
    message.headers.splice(at, 2, `${message.headers[at] ?? ''}${glue}${next}`);
  },
  requestLineToken(message, random) {
    const parts = message.startLine.split(' ');
    const junk = pick(random, [
      'INV1TE',
      'invite',
      'SIP/2.0',
      'SIP/3.0',
      'sip:',
      '<sip:x@y>',
      '*',
      hex(random, between(random, 1, 300)),
      '',
    ]);
    parts[between(random, 0, parts.length - 1)] = junk;
    message.startLine = parts.join(pick(random, [' ', '  ', '\t']));
  },
  nulBytes(message, random) {
    const at = headerIndex(message, random);
    const header = message.headers[at] ?? '';
    const cut = between(random, 0, header.length);
    const nuls = '\u0000'.repeat(between(random, 1, 8));
    message.headers[at] = header.slice(0, cut) + nuls + header.slice(cut);
  },
  longLine(message, random) {
    const name = `X-${hex(random, 6)}`;
    message.headers.push(`${name}: ${'x'.repeat(between(random, 8e3, 6e4))}`);
  },
  oddCaller(message, random) {
    const caller = pick(random, [
      '+',
      '+'.padEnd(40, '9'),
      'anonymous',
      '%2B14155550100',
      '+1415555O1OO',
      '',
      '00000000000000000000',
      'sip:sip:sip:',
    ]);
    const header = pick(random, ['From', 'P-Asserted-Identity']);
    message.headers = message.headers.filter(
      (line) => !line.toLowerCase().startsWith(`${header.toLowerCase()}:`),
    );
    message.headers.push(`${header}: <sip:${caller}@198.51.100.7>;tag=1`);
  },
};

const mutationNames = Object.keys(mutations);

/** The index-th variant of the run seeded with `seed`. */
export function variant(seed: number, index: number): Variant {
  const random = seededRandom(seed * 1_000_003 + index);
  const method = random() < 0.7 ? 'INVITE' : 'REGISTER';
  const [startLine = '', ...headers] =
    method === 'INVITE'
      ? baseInvite(random, index)
      : baseRegister(random, index);
  const message: Message = {
    startLine,
    headers,
    body: method === 'INVITE' ? sdp : '',
  };
  const applied: string[] = [];
  for (let n = between(random, 1, 3); n > 0; n -= 1) {
    const name = pick(random, mutationNames);
    mutations[name]?.(message, random);
    applied.push(name);
  }
  const raw = [message.startLine, ...message.headers].join(CRLF);
  return {
    index,
    method,
    mutations: applied,
    raw: raw + CRLF + CRLF + message.body,
  };
}

export function variants(seed: number, count: number): Variant[] {
  return Array.from({ length: count }, (_, index) => variant(seed, index));
}
