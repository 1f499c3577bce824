import { randomUUID } from 'node:crypto';
import { validate } from '@jambonz/verb-specifications';
import type { Redis } from 'ioredis';
import YAML from 'yaml';
import type { FlowInput } from '../../src/ivr/flow';
import { FlowStore } from '../../src/ivr/flow-store';
import { signWebhook } from '../../src/voice/signature';
import { silentLogger } from './redis';

/**
 * jambonz as a webhook caller: the bodies it posts (jambonz docs,
 * "Webhooks") and the signature it puts on them. The only fake the voice
 * tests use; everything behind the webhooks is real.
 */

export function aCallSid(): string {
  return randomUUID();
}

let numberSequence = 0;

/** A dialled number of the test's own, so flows mapped to it never clash. */
export function aDialledNumber(): string {
  numberSequence += 1;
  return `+1628555${String(1000 + numberSequence).padStart(4, '0')}`;
}

/** A new-call body as jambonz posts it to the call hook. */
export function aCallBody(
  overrides: Record<string, unknown> = {},
  sipHeaders: Record<string, string> = {},
): Record<string, unknown> {
  const callSid = aCallSid();
  return {
    call_sid: callSid,
    direction: 'inbound',
    from: '+14155550100',
    to: '+16285550000',
    caller_name: '',
    call_id: `${randomUUID()}@10.0.0.5`,
    sbc_callid: randomUUID(),
    call_status: 'trying',
    sip_status: 100,
    account_sid: randomUUID(),
    application_sid: randomUUID(),
    originating_sip_ip: '203.0.113.7',
    originating_sip_trunk_name: 'carrier-a',
    trace_id: 'b5a3e0ff1e7a4b8c9d0e1f2a3b4c5d6e',
    sip: {
      headers: {
        via: 'SIP/2.0/UDP 203.0.113.7;branch=z9hG4bK776asdhds',
        'max-forwards': '70',
        'call-id': 'a84b4c76e66710@pc33.example.com',
        'p-asserted-identity': '<sip:+14155550100@203.0.113.7;user=phone>',
        ...sipHeaders,
      },
      method: 'INVITE',
      uri: 'sip:+16285550000@10.0.0.5:5060',
    },
    ...overrides,
  };
}

export function aStatusBody(
  callSid: string,
  callStatus: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    call_sid: callSid,
    direction: 'inbound',
    from: '+14155550100',
    to: '+16285550000',
    call_status: callStatus,
    sip_status: callStatus === 'completed' ? 200 : 180,
    sip_reason: 'OK',
    ...overrides,
  };
}

export interface WebhookReply {
  status: number;
  body: unknown;
}

export interface PostOptions {
  /** Sign with this secret; undefined sends no signature. */
  secret?: string;
  timestamp?: number;
  headers?: Record<string, string>;
}

/** Posts a body as jambonz does: JSON, signed over the exact bytes sent. */
export async function postWebhook(
  base: string,
  path: string,
  body: unknown,
  options: PostOptions = {},
): Promise<WebhookReply> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...options.headers,
  };
  if (options.secret !== undefined) {
    headers['jambonz-signature'] = signWebhook(
      options.secret,
      raw,
      options.timestamp,
    );
  }
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers,
    body: raw,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

export interface Verb {
  verb: string;
  [property: string]: unknown;
}

/** The verbs, after jambonz's own specification check accepted them. */
export function validVerbs(body: unknown): Verb[] {
  if (!Array.isArray(body)) {
    throw new Error(`expected a verb array, got ${JSON.stringify(body)}`);
  }
  validate(silentLogger, body);
  return body as Verb[];
}

/** Every text a say verb (or a gather's nested say) speaks. */
export function spoken(verbs: Verb[]): string[] {
  return verbs.flatMap((verb) => {
    const say = verb.verb === 'gather' ? verb.say : verb;
    const text = (say as { text?: unknown } | undefined)?.text;
    return typeof text === 'string' ? [text] : [];
  });
}

/** A flow published live and mapped to a number, as an admin would. */
export async function publishFlow(
  redis: Redis,
  flow: FlowInput,
  number: string,
): Promise<void> {
  const store = new FlowStore(redis, { phoneDefaultRegion: 'US' });
  await store.saveDraft(flow.id, { source: YAML.stringify(flow) });
  await store.publish(flow.id, {});
  await store.mapNumber(number, { flowId: flow.id });
}

/** A flow that exists as a draft only: the number it serves has no live flow. */
export async function draftOnlyFlow(
  redis: Redis,
  flow: FlowInput,
  number: string,
): Promise<void> {
  const store = new FlowStore(redis, { phoneDefaultRegion: 'US' });
  await store.saveDraft(flow.id, { source: YAML.stringify(flow) });
  await store.mapNumber(number, { flowId: flow.id });
}

let flowSequence = 0;

/**
 * A small flow that shows what a call does: it greets the caller by name,
 * then a menu leads to a voicemail or a goodbye.
 */
export function aVoiceFlow(): FlowInput {
  flowSequence += 1;
  return {
    id: `voice-test-${flowSequence}`,
    name: 'Voice webhook test',
    start: 'greet',
    nodes: {
      greet: {
        type: 'say',
        text: 'Hello {{customer.firstName | there}}.',
        next: 'main-menu',
      },
      'main-menu': {
        type: 'menu',
        prompt: 'To leave a message press 1. To hang up press 2.',
        choices: [
          { key: '1', next: 'message' },
          { key: '2', next: 'goodbye' },
        ],
        on: { timeout: 'goodbye', noMatch: 'goodbye' },
      },
      message: {
        type: 'voicemail',
        prompt: 'Please leave a message after the tone.',
        maxSeconds: 60,
        next: 'thanks',
      },
      thanks: { type: 'hangup', prompt: 'Thank you. Goodbye.' },
      goodbye: { type: 'hangup', prompt: 'Goodbye.' },
    },
  };
}

/** A flow that hands the caller to a subflow, and the subflow it calls. */
export function aFlowWithSubflow(): { outer: FlowInput; inner: FlowInput } {
  flowSequence += 1;
  const innerId = `voice-sub-${flowSequence}`;
  return {
    inner: {
      id: innerId,
      name: 'Account check',
      start: 'ask',
      nodes: {
        ask: {
          type: 'menu',
          prompt: 'Press 1 to confirm your account.',
          choices: [{ key: '1', next: 'back' }],
          on: { timeout: 'back', noMatch: 'back' },
        },
        back: { type: 'return' },
      },
    },
    outer: {
      id: `voice-outer-${flowSequence}`,
      name: 'Front door with a check',
      start: 'check',
      nodes: {
        check: { type: 'subflow', flow: innerId, next: 'done' },
        done: { type: 'hangup', prompt: 'Checked. Goodbye.' },
      },
    },
  };
}
