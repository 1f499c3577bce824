import type { PeerAnswer } from '../support/drachtio-peer';
import {
  processIvrUri as ivrUri,
  startEdgeProcess,
  type EdgeProcess,
} from '../support/edge-process';
import { startTestRedis, type TestRedis } from '../support/redis';
import {
  bodyLength,
  loadTortureMessage,
  loadTortureMessages,
  type TortureMessage,
} from '../support/rfc4475';
import { aSource, anInvite, anOptions } from '../support/sip-messages';

/**
 * RFC 4475's torture messages, each delivered to the running edge as raw
 * bytes through the test peer. What a carrier would notice: the edge keeps
 * its connection, never crashes, answers what it can and routes no call
 * the RFC calls malformed.
 */

/** How long a dropped message is waited for before calling it dropped. */
const silence = 300;

let redis: TestRedis;
let edge: EdgeProcess;

beforeAll(async () => {
  redis = await startTestRedis();
  edge = await startEdgeProcess(redis);
});

afterAll(async () => {
  await edge.stop();
  await redis.stop();
});

/** The message as drachtio-srf reads it off the wire: UTF-8 text. */
function wire(message: TortureMessage): string {
  return message.bytes.toString('utf8');
}

function describeAnswer(answer: PeerAnswer): string {
  switch (answer.kind) {
    case 'response':
      return `response ${answer.final.status}`;
    case 'proxy':
      return `proxy to ${answer.proxy.destinations.join(',')}`;
    case 'none':
      return 'none';
  }
}

const messages = loadTortureMessages();

describe('the RFC 4475 fixtures', () => {
  it('hold all 49 torture messages of sections 3.1 to 3.4', () => {
    expect(messages).toHaveLength(49);
    const kinds = messages.map((message) => message.kind);
    expect(kinds.filter((kind) => kind === 'valid')).toHaveLength(13);
    expect(kinds.filter((kind) => kind === 'invalid')).toHaveLength(19);
  });

  it('expand to bodies as long as their Content-Length says', () => {
    // Where the RFC's Content-Length is right, a wrong expansion of the
    // conventions (a lost CRLF, a miscounted repeat) would show here.
    for (const name of ['wsinv', 'esc01', 'longreq', 'mpart01', 'unreason']) {
      const message = loadTortureMessage(name);
      const declared = /\r\n(?:content-length|l)\s*:\s*(\d+)/i.exec(
        message.bytes.toString('latin1'),
      );
      expect([name, bodyLength(message.bytes)]).toEqual([
        name,
        Number(declared?.[1]),
      ]);
    }
  });

  it('keep the octets the RFC spells in hex', () => {
    const intmeth = loadTortureMessage('intmeth').bytes;
    expect(
      intmeth.includes(Buffer.from('BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f')),
    ).toBe(true);
  });
});

/**
 * What the edge answers each message with, read from the RFC's intent:
 * the valid INVITEs are routed, valid OPTIONS answered, valid REGISTERs
 * challenged; every §3.1.2 message is refused with 400 (505 for the
 * version, §3.1.2.16) or, where drachtio-srf cannot parse it at all or it
 * is a response outside any transaction, dropped. An unknown method gets
 * drachtio-srf's own 404, as no handler takes it.
 */
const routed = `proxy to ${ivrUri}`;
const expected: Record<string, string> = {
  // §3.1.1 valid messages
  wsinv: routed,
  intmeth: 'response 404',
  esc01: routed,
  escnull: 'response 401',
  esc02: 'response 401',
  lwsdisp: 'response 200',
  longreq: routed,
  dblreq: 'response 401',
  semiuri: 'response 200',
  transports: 'response 200',
  mpart01: 'response 404',
  unreason: 'none',
  noreason: 'none',
  // §3.1.2 invalid messages
  badinv01: 'response 400',
  clerr: 'response 400',
  ncl: 'response 400',
  scalar02: 'response 400',
  scalarlg: 'none',
  quotbal: 'response 400',
  ltgtruri: 'response 400',
  lwsruri: 'none',
  lwsstart: 'none',
  trws: 'response 400',
  escruri: 'response 400',
  baddate: 'response 400',
  regbadct: 'response 400',
  badaspec: 'response 400',
  baddn: 'response 400',
  badvers: 'response 505',
  mismatch01: 'response 400',
  mismatch02: 'response 404',
  bigcode: 'none',
  // §3.2 transaction layer: a UAS may accept the bare branch.
  badbranch: 'response 200',
  // §3.3 application layer
  insuf: 'response 400',
  unkscm: 'response 416',
  novelsc: 'response 416',
  unksm2: 'response 401',
  bext01: 'response 420',
  invut: routed,
  regaut01: 'response 401',
  multi01: 'response 400',
  mcl01: 'response 400',
  bcast: 'none',
  zeromf: 'response 200',
  cparam01: 'response 401',
  cparam02: 'response 401',
  regescrt: 'response 401',
  sdp01: routed,
  // §3.4 RFC 2543 syntax, still taken
  inv2543: routed,
};

describe('the SIP edge given the RFC 4475 torture messages', () => {
  const answers = new Map<string, string>();

  beforeAll(async () => {
    for (const message of messages) {
      const answer = await edge.peer.deliver(wire(message), {
        source: aSource(),
        deadlineMs: silence,
      });
      answers.set(message.name, describeAnswer(answer));
    }
  });

  it.each(messages)(
    'answers $name (§$section, $title) as the RFC intends',
    ({ name }) => {
      expect([name, answers.get(name)]).toEqual([name, expected[name]]);
    },
  );

  it('never routes a call nor answers 2xx for a message the RFC calls invalid', () => {
    const invalid = messages.filter((message) => message.kind === 'invalid');
    for (const { name } of invalid) {
      expect([name, answers.get(name)]).toEqual([
        name,
        expect.stringMatching(/^(none|response 4\d\d|response 505)$/),
      ]);
    }
  });

  it('crashes nothing and leaves no promise rejected unhandled', () => {
    expect(edge.exited).toBeUndefined();
    expect(edge.faults()).toEqual([]);
    // A handler that threw would have answered 500 and logged it.
    expect(edge.errors).toEqual([]);
  });

  it('stays connected and still routes a normal INVITE afterwards', async () => {
    const answer = await edge.peer.send(anInvite());
    expect(describeAnswer(answer)).toBe(routed);
    const options = await edge.peer.send(anOptions());
    expect(describeAnswer(options)).toBe('response 200');
  });
});
