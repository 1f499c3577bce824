import { z } from 'zod';

/**
 * The IVR flow format. A flow is a map of named nodes; each node has a type,
 * its parameters and its outcomes: `next` for the usual way on, `on` for the
 * named exits (timeout, noMatch, invalid, failure, unavailable, open,
 * closed). Ids are readable words, and nothing about layout lives here.
 *
 * This module is the source of truth: ivr-flows/schema.json is generated
 * from it (`npm run schema`) and a test keeps the two in step.
 */

export const nodeIdPattern = /^[a-z][a-z0-9-]{0,63}$/;
export const flowIdPattern = /^[a-z][a-z0-9-]{0,63}$/;
const variablePattern = /^[a-z][a-zA-Z0-9_]{0,31}$/;

const nodeId = z
  .string()
  .regex(
    nodeIdPattern,
    'node ids are lower-case words joined by -, e.g. main-menu',
  );
const flowId = z
  .string()
  .regex(flowIdPattern, 'flow ids are lower-case words joined by -, e.g. main');
const variable = z
  .string()
  .regex(
    variablePattern,
    'variable names start with a letter: a-z, A-Z, 0-9, _',
  );

/** Text to speak; may hold {{placeholders}}, see template.ts. */
const template = z.string().min(1).max(2000);
const seconds = (max: number) => z.number().int().min(1).max(max);
const retries = z.number().int().min(0).max(5);
const language = z
  .string()
  .regex(/^[a-z]{2,3}-[A-Z]{2}$/, 'a language such as en-US or fr-FR');
const audioUrl = z
  .string()
  .regex(/^https:\/\/\S+$/, 'an https:// URL of an audio file');

const speech = {
  language: language.optional(),
  voice: z.string().max(64).optional(),
};

export const channels = ['sms', 'chat', 'email'] as const;

export const sayNode = z.strictObject({
  type: z.literal('say'),
  text: template,
  ...speech,
  next: nodeId,
});

export const playNode = z.strictObject({
  type: z.literal('play'),
  url: audioUrl,
  next: nodeId,
});

const dtmfKey = z.string().regex(/^[0-9*#]$/, 'a single key: 0-9, * or #');

export const menuNode = z.strictObject({
  type: z.literal('menu'),
  prompt: template,
  ...speech,
  input: z
    .array(z.enum(['digits', 'speech']))
    .min(1)
    .default(['digits', 'speech']),
  choices: z
    .array(
      z.strictObject({
        key: dtmfKey.optional(),
        /** Words a caller may say instead; matched case-insensitively. */
        phrases: z.array(z.string().min(1).max(64)).max(10).optional(),
        next: nodeId,
      }),
    )
    .min(1)
    .max(12),
  timeoutSeconds: seconds(30).default(5),
  retries: retries.default(2),
  noInputPrompt: template.optional(),
  noMatchPrompt: template.optional(),
  on: z.strictObject({ timeout: nodeId, noMatch: nodeId }),
});

export const collectNode = z.strictObject({
  type: z.literal('collect'),
  prompt: template,
  ...speech,
  into: variable,
  input: z.enum(['digits', 'speech']).default('digits'),
  minLength: z.number().int().min(1).max(64).default(1),
  maxLength: z.number().int().min(1).max(64).default(16),
  /** A regular expression the whole answer must match. */
  pattern: z.string().min(1).max(200).optional(),
  finishOnKey: z.enum(['#', '*']).default('#'),
  timeoutSeconds: seconds(60).default(8),
  retries: retries.default(2),
  invalidPrompt: template.optional(),
  next: nodeId,
  on: z.strictObject({ invalid: nodeId, timeout: nodeId }),
});

/** A condition holds when every key it names holds. */
export interface Condition {
  caller?: 'known' | 'unknown';
  tier?: string[];
  language?: string;
  openConversation?: { channel?: ConversationChannel; withinHours: number };
  variable?: { name: string; equals?: string; in?: string[]; matches?: string };
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
}
type ConversationChannel = 'voice' | 'chat' | 'sms' | 'email';

export const condition: z.ZodType<Condition> = z.lazy(() =>
  z
    .strictObject({
      caller: z.enum(['known', 'unknown']).optional(),
      tier: z.array(z.string().min(1).max(32)).min(1).optional(),
      /** A language tag or its prefix: `es` matches es-MX. */
      language: z
        .string()
        .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/)
        .optional(),
      openConversation: z
        .strictObject({
          channel: z.enum(['voice', 'chat', 'sms', 'email']).optional(),
          withinHours: z
            .number()
            .int()
            .min(1)
            .max(24 * 90),
        })
        .optional(),
      variable: z
        .strictObject({
          name: variable,
          equals: z.string().max(200).optional(),
          in: z.array(z.string().max(200)).min(1).optional(),
          matches: z.string().min(1).max(200).optional(),
        })
        .optional(),
      all: z.array(condition).min(1).optional(),
      any: z.array(condition).min(1).optional(),
      not: condition.optional(),
    })
    .refine((c) => Object.keys(c).length > 0, {
      error: 'a condition names at least one test, e.g. caller: known',
    }),
);

export const branchNode = z.strictObject({
  type: z.literal('branch'),
  conditions: z.array(z.strictObject({ when: condition, next: nodeId })).min(1),
  /** Where to go when no condition holds. */
  next: nodeId,
});

const timeRange = z
  .string()
  .regex(
    /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/,
    'a range such as 09:00-17:30',
  );
export const weekdays = [
  'mon',
  'tue',
  'wed',
  'thu',
  'fri',
  'sat',
  'sun',
] as const;

export const hoursNode = z.strictObject({
  type: z.literal('hours'),
  /** An IANA time zone such as America/New_York. */
  timezone: z.string().min(1).max(64),
  weekly: z.partialRecord(z.enum(weekdays), z.array(timeRange).max(6)),
  holidays: z
    .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date: YYYY-MM-DD'))
    .max(100)
    .default([]),
  on: z.strictObject({ open: nodeId, closed: nodeId }),
});

export const queueNode = z.strictObject({
  type: z.literal('queue'),
  queue: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/),
  skills: z.array(z.string().min(1).max(64)).max(10).default([]),
  priority: z.number().int().min(0).max(10).default(5),
  prompt: template.optional(),
  ...speech,
  /** Taken when no agent can be reached: closed queue, nobody logged in. */
  on: z.strictObject({ unavailable: nodeId }),
});

export const transferNode = z.strictObject({
  type: z.literal('transfer'),
  /** E.164 number or sip: URI; it must be on TRANSFER_ALLOWLIST. */
  to: z
    .string()
    .regex(
      /^(\+[1-9]\d{6,14}|sips?:[^\s@]+@[^\s]+)$/,
      'an E.164 number or a sip: URI',
    ),
  prompt: template.optional(),
  ...speech,
  timeoutSeconds: seconds(120).default(30),
  on: z.strictObject({ failure: nodeId }),
});

export const handoffNode = z.strictObject({
  type: z.literal('handoff'),
  channel: z.enum(channels),
  prompt: template.optional(),
  ...speech,
  /** Taken once the link is sent. */
  next: nodeId,
  on: z.strictObject({ unavailable: nodeId }),
});

export const callbackNode = z.strictObject({
  type: z.literal('callback'),
  prompt: template.optional(),
  ...speech,
  /** Taken once the callback is booked. */
  next: nodeId,
  on: z.strictObject({ unavailable: nodeId }),
});

export const voicemailNode = z.strictObject({
  type: z.literal('voicemail'),
  prompt: template,
  ...speech,
  maxSeconds: seconds(600).default(120),
  next: nodeId,
});

export const setNode = z.strictObject({
  type: z.literal('set'),
  values: z.record(variable, z.string().max(2000)),
  next: nodeId,
});

export const gotoNode = z.strictObject({
  type: z.literal('goto'),
  target: nodeId,
});

export const subflowNode = z.strictObject({
  type: z.literal('subflow'),
  flow: flowId,
  /** Where to carry on when the subflow reaches a return node. */
  next: nodeId,
});

export const returnNode = z.strictObject({
  type: z.literal('return'),
});

export const hangupNode = z.strictObject({
  type: z.literal('hangup'),
  prompt: template.optional(),
  ...speech,
});

export const flowNode = z.discriminatedUnion('type', [
  sayNode,
  playNode,
  menuNode,
  collectNode,
  branchNode,
  hoursNode,
  queueNode,
  transferNode,
  handoffNode,
  callbackNode,
  voicemailNode,
  setNode,
  gotoNode,
  subflowNode,
  returnNode,
  hangupNode,
]);

export const flowSchema = z.strictObject({
  id: flowId,
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  language: language.default('en-US'),
  voice: z.string().max(64).optional(),
  start: nodeId,
  variables: z.record(variable, z.string().max(2000)).default({}),
  nodes: z.record(nodeId, flowNode),
});

export type Flow = z.output<typeof flowSchema>;
export type FlowInput = z.input<typeof flowSchema>;
export type FlowNode = z.output<typeof flowNode>;
export type NodeType = FlowNode['type'];
export type NodeOf<T extends NodeType> = Extract<FlowNode, { type: T }>;
