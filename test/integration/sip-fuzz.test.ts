import type { PeerAnswer } from '../support/drachtio-peer';
import {
  processIvrUri as ivrUri,
  startEdgeProcess,
  type EdgeProcess,
} from '../support/edge-process';
import { startTestRedis, type TestRedis } from '../support/redis';
import {
  aRegister,
  aSource,
  anInvite,
  headerValues,
  parseSip,
} from '../support/sip-messages';
import { variants, type Variant } from '../support/sip-mutator';

/**
 * A few thousand mutated INVITEs and REGISTERs, the same ones every run
 * (seeded), through the edge running as its own process. A carrier sees a
 * 4xx, silence, or, for a variant that stayed a valid INVITE, the call
 * routed; never a crash, a 500 or a 2xx to a broken REGISTER.
 */

const seed = 4475;
const count = 3000;
const concurrency = 8;
/** Short: a dropped variant costs this much of one lane's time. */
const silence = 150;

let redis: TestRedis;
let edge: EdgeProcess;

beforeAll(async () => {
  redis = await startTestRedis();
  edge = await startEdgeProcess(redis, {
    // Every variant has a source of its own; these only keep the limits
    // from being what the test measures.
    SIP_RATE_LIMIT: '100000',
    SIP_AUTH_MAX_FAILURES: '1000',
  });
});

afterAll(async () => {
  await edge.stop();
  await redis.stop();
});

type Outcome = 'routed' | 'refused' | 'dropped' | 'other';

function outcomeOf(answer: PeerAnswer): Outcome {
  if (answer.kind === 'none') {
    return 'dropped';
  }
  if (answer.kind === 'proxy') {
    return answer.proxy.destinations.join() === ivrUri ? 'routed' : 'other';
  }
  const { status } = answer.final;
  // 505 is RFC 3261's answer to a SIP version the edge does not speak.
  return (status >= 400 && status < 500) || status === 505
    ? 'refused'
    : 'other';
}

/**
 * The test's own, deliberately simpler idea of an INVITE that is still
 * fit to route: the request line intact, the headers a transaction needs
 * present once (RFC 3261 §8.1.1), a Content-Length the body can honour.
 */
function stillAnInvite(raw: string): boolean {
  const message = parseSip(raw);
  const once = (name: string) => headerValues(message, name).length === 1;
  const length = headerValues(message, 'content-length');
  return (
    /^INVITE sip:\S+ SIP\/2\.0$/.test(message.startLine) &&
    ['from', 'to', 'call-id', 'cseq'].every(once) &&
    headerValues(message, 'via').length > 0 &&
    /^\d+ INVITE$/.test(headerValues(message, 'cseq')[0] ?? '') &&
    length.length <= 1 &&
    (length[0] === undefined ||
      (/^\d+$/.test(length[0]) &&
        Number(length[0]) <= Buffer.byteLength(message.body)))
  );
}

async function inLanes<T, R>(
  items: T[],
  lanes: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    for (let at = next++; at < items.length; at = next++) {
      const item = items[at];
      if (item !== undefined) {
        results[at] = await work(item);
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}

describe('the SIP edge given mutated INVITEs and REGISTERs', () => {
  const unexpected: { variant: Variant; answer: string }[] = [];
  const tally: Record<Outcome, number> = {
    routed: 0,
    refused: 0,
    dropped: 0,
    other: 0,
  };

  beforeAll(async () => {
    await inLanes(variants(seed, count), concurrency, async (variant) => {
      const answer = await edge.peer.deliver(variant.raw, {
        source: aSource(),
        deadlineMs: silence,
      });
      const outcome = outcomeOf(answer);
      tally[outcome] += 1;
      const wronglyRouted = outcome === 'routed' && !stillAnInvite(variant.raw);
      if (outcome === 'other' || wronglyRouted) {
        unexpected.push({ variant, answer: JSON.stringify(answer) });
      }
    });
  }, 90_000);

  it('answers every variant with a 4xx, silence or a routing to the IVR', () => {
    // On failure the variant's index and mutations reproduce it:
    // variant(seed, index) gives the same bytes.
    const shown = unexpected.slice(0, 5).map(({ variant, answer }) => ({
      index: variant.index,
      mutations: variant.mutations,
      answer,
    }));
    expect(shown).toEqual([]);
  });

  it('sees each kind of outcome, so the variants reached the edge', () => {
    expect(tally.routed + tally.refused + tally.dropped).toBe(count);
    expect(tally.routed).toBeGreaterThan(count / 20);
    expect(tally.refused).toBeGreaterThan(count / 5);
  });

  it('neither crashes nor leaves a promise rejected unhandled', () => {
    expect(edge.exited).toBeUndefined();
    expect(edge.faults()).toEqual([]);
    expect(edge.errors).toEqual([]);
  });

  it('still routes a normal INVITE and challenges a normal REGISTER', async () => {
    const invite = await edge.peer.send(anInvite());
    expect(outcomeOf(invite)).toBe('routed');
    const register = await edge.peer.send(
      aRegister({ user: '7001', source: aSource() }),
    );
    expect(register.kind === 'response' && register.final.status).toBe(401);
  });
});
