import { randomUUID } from 'node:crypto';
import { signWebhook } from '../../src/voice/signature';
import { customerOf, seededRandom, type Random } from './fixtures';

/**
 * The requests of the webhook phases: new-call bodies as jambonz posts them
 * to the call hook (jambonz docs, "Webhooks"), each from a seeded customer
 * and with a call_sid of its own, and the checks their replies must pass.
 * The body repeats the shape of aCallBody in test/support/jambonz.ts, which
 * the bench cannot import: that module pulls in jest's helpers.
 */

export interface CallRequest {
  /** The exact bytes signed: JSON re-serialised would not verify. */
  body: Buffer;
  headers: Record<string, string>;
  /** The name the greeting must use; the seeded customer's first name. */
  firstName: string;
}

/** Any number will do: the shipped main flow answers every unmapped one. */
const dialled = '+16285550000';

function callBody(from: string, callSid: string): Record<string, unknown> {
  return {
    call_sid: callSid,
    direction: 'inbound',
    from,
    to: dialled,
    caller_name: '',
    call_id: `${randomUUID()}@10.0.0.5`,
    sbc_callid: randomUUID(),
    call_status: 'trying',
    sip_status: 100,
    account_sid: 'bench-account',
    application_sid: 'bench-application',
    originating_sip_ip: '203.0.113.7',
    originating_sip_trunk_name: 'carrier-a',
    trace_id: callSid.replaceAll('-', ''),
    sip: {
      headers: {
        via: 'SIP/2.0/UDP 203.0.113.7;branch=z9hG4bK776asdhds',
        'max-forwards': '70',
        'call-id': `${callSid}@203.0.113.7`,
        'p-asserted-identity': `<sip:${from}@203.0.113.7;user=phone>`,
      },
      method: 'INVITE',
      uri: `sip:${dialled}@10.0.0.5:5060`,
    },
  };
}

/**
 * Makes signed call requests for random seeded customers. One maker serves
 * every phase, so no two requests of a run share a call_sid; its seed makes
 * two runs call the same customers in the same order.
 */
export class CallMaker {
  private readonly random: Random = seededRandom(7);

  constructor(
    private readonly secret: string,
    private readonly customers: number,
  ) {}

  /**
   * `count` requests signed now: jambonz's five minutes of tolerance
   * outlast a phase, so none goes stale before it is sent.
   */
  make(count: number): CallRequest[] {
    const timestamp = Math.floor(Date.now() / 1000);
    return Array.from({ length: count }, () => {
      const index = Math.floor(this.random() * this.customers);
      // seedCustomers draws customer i from seededRandom(i + 1) too.
      const customer = customerOf(index, seededRandom(index + 1));
      const from = customer.identities[0].value;
      const body = Buffer.from(JSON.stringify(callBody(from, randomUUID())));
      return {
        body,
        headers: {
          'content-type': 'application/json',
          'jambonz-signature': signWebhook(this.secret, body, timestamp),
        },
        firstName: customer.name.split(' ')[0] ?? '',
      };
    });
  }
}

interface Verb {
  verb: string;
  text?: unknown;
  say?: { text?: unknown };
}

/** The reply's verbs, or an error that says what came back instead. */
export function verbsOf(status: number, text: string): Verb[] {
  if (status !== 200) {
    throw new Error(`status ${status}: ${text.slice(0, 200)}`);
  }
  const parsed: unknown = JSON.parse(text);
  const isVerb = (item: unknown) =>
    typeof item === 'object' &&
    item !== null &&
    typeof (item as { verb?: unknown }).verb === 'string';
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every(isVerb)) {
    throw new Error(`not a verb array: ${text.slice(0, 200)}`);
  }
  return parsed as Verb[];
}

/**
 * The realistic path of the main flow in business hours: the caller is
 * greeted by name and a menu listens. An apology, the closed-hours path or
 * an anonymous greeting is a 200 with verbs too, and would otherwise pass
 * as a fast success.
 */
export function checkCallReply(
  status: number,
  text: string,
  request: CallRequest,
): void {
  const verbs = verbsOf(status, text);
  const spoken = verbs.map((verb) =>
    String(verb.verb === 'gather' ? verb.say?.text : verb.text),
  );
  const greeting = `Hi ${request.firstName},`;
  if (!spoken.some((said) => said.includes(greeting))) {
    throw new Error(`no "${greeting}" greeting: ${text.slice(0, 200)}`);
  }
  if (!verbs.some((verb) => verb.verb === 'gather')) {
    throw new Error(`no menu gather: ${text.slice(0, 200)}`);
  }
}
