import { z } from 'zod';
import { conversationIdPattern } from './keys';

/**
 * The timeline's event model: one entry per thing that happened between the
 * customer and us, on any channel. `type` says what happened; `channel` is
 * derived from it, so that readers can group events without a lookup table.
 */

export const channels = ['voice', 'chat', 'sms', 'email', 'internal'] as const;
export type Channel = (typeof channels)[number];

const direction = z.enum(['inbound', 'outbound']);
const text = (max: number) => z.string().min(1).max(max);
const callSid = z.string().min(1).max(128);

const common = {
  /** When it happened; defaults to when it was recorded. */
  at: z.iso.datetime({ offset: true }).optional(),
  conversationId: z.string().regex(conversationIdPattern).optional(),
};

export const eventInput = z.discriminatedUnion('type', [
  z.strictObject({
    ...common,
    type: z.literal('call.started'),
    direction,
    callSid: callSid.optional(),
  }),
  z.strictObject({
    ...common,
    type: z.literal('call.ended'),
    callSid: callSid.optional(),
    durationSeconds: z.number().int().min(0).optional(),
    outcome: z
      .enum(['completed', 'abandoned', 'no-answer', 'busy', 'failed'])
      .optional(),
  }),
  z.strictObject({
    ...common,
    type: z.literal('ivr.step'),
    callSid: callSid.optional(),
    flowId: z.string().min(1).max(128).optional(),
    node: text(128),
    input: z.string().max(256).optional(),
    prompt: z.string().max(2000).optional(),
  }),
  z.strictObject({
    ...common,
    type: z.literal('voicemail'),
    callSid: callSid.optional(),
    // Where bridgeline serves the recording: https in production; http is
    // accepted because a local install's PUBLIC_BASE_URL is http://localhost.
    recordingUrl: z
      .string()
      .max(2000)
      .regex(/^https?:\/\/\S+$/, 'an https:// URL'),
    durationSeconds: z.number().int().min(0).optional(),
  }),
  z.strictObject({
    ...common,
    type: z.literal('chat.message'),
    direction,
    text: text(8000),
    author: z.string().max(128).optional(),
  }),
  z.strictObject({
    ...common,
    type: z.literal('sms.message'),
    direction,
    text: text(2000),
    messageSid: z.string().max(128).optional(),
  }),
  z.strictObject({
    ...common,
    type: z.literal('email.message'),
    direction,
    subject: z.string().max(998),
    text: z.string().max(20000).optional(),
    messageId: z.string().max(998).optional(),
  }),
  z.strictObject({
    ...common,
    type: z.literal('callback'),
    status: z.enum([
      'requested',
      'scheduled',
      'placed',
      'answered',
      'no-answer',
      'failed',
      'cancelled',
    ]),
    jobId: z.string().max(128).optional(),
  }),
  z.strictObject({
    ...common,
    type: z.literal('agent.note'),
    agentId: text(128),
    text: text(8000),
  }),
]);

export type EventInput = z.infer<typeof eventInput>;
export type EventType = EventInput['type'];

export type TimelineEvent = EventInput & { at: string; channel: Channel };

/** A stored event with its timeline id, which orders it among the rest. */
export type TimelineEntry = TimelineEvent & { id: string };

const channelOf: Record<EventType, Channel> = {
  'call.started': 'voice',
  'call.ended': 'voice',
  'ivr.step': 'voice',
  voicemail: 'voice',
  callback: 'voice',
  'chat.message': 'chat',
  'sms.message': 'sms',
  'email.message': 'email',
  'agent.note': 'internal',
};

export function completeEvent(input: EventInput, now: Date): TimelineEvent {
  return {
    ...input,
    at: input.at ?? now.toISOString(),
    channel: channelOf[input.type],
  };
}

/** Each entry is stored as one field holding JSON: compact and fast to read. */
export const EVENT_FIELD = 'e';

export function decodeEntry(id: string, fields: string[]): TimelineEntry {
  const json = fields[fields.indexOf(EVENT_FIELD) + 1] ?? '{}';
  return { id, ...(JSON.parse(json) as TimelineEvent) };
}

/** Stream ids start with the millisecond they were recorded in. */
export function entryTimeMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}
