import YAML from 'yaml';
import { z } from 'zod';
import type { ContextCard } from '../context/card';
import type { Conversation } from '../context/conversations';
import { flowIdPattern } from './flow';

/**
 * Scenario files: a flow's tests, kept beside it as
 * ivr-flows/<flow>.scenarios.yaml. Each scenario names a moment, a caller
 * and what they press or say, and what should happen: the path taken, the
 * prompts heard, how the call ends. They are written by admins, so the
 * format is plain and every problem names where it is. Running them is
 * scenarios.ts.
 */

// YAML reads `digits: 1` as a number; a key pressed is text either way.
const keys = z.preprocess(
  (value) => (typeof value === 'number' ? String(value) : value),
  z.string().regex(/^[0-9*#]{1,64}$/, 'keys to press, such as 1 or 1234#'),
);

const simInput = z.union([
  z.literal('timeout'),
  z.literal('hangup'),
  z.strictObject({ digits: keys }),
  z.strictObject({ speech: z.string().min(1).max(256) }),
  z.strictObject({ dial: z.string().regex(/^[a-z-]{1,32}$/) }),
  z.strictObject({
    recording: z.string().regex(/^https?:\/\/\S+$/, 'a recording URL'),
    seconds: z.number().int().min(0).optional(),
  }),
]);

const conversation = z.strictObject({
  subject: z.string().min(1).max(200),
  channel: z.enum(['voice', 'chat', 'sms', 'email']),
  status: z.enum(['open', 'pending', 'closed']).default('open'),
  /** How long ago it was last updated. */
  hoursAgo: z
    .number()
    .min(0)
    .max(24 * 365),
});

const customer = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  tier: z.string().min(1).max(32).optional(),
  language: z.string().min(2).max(35).optional(),
  conversations: z.array(conversation).max(20).default([]),
});

const ends = z
  .string()
  .regex(
    /^(hangup|caller-hangup|transfer|voicemail|queue|awaiting:[a-z][a-z0-9-]*)$/,
    'hangup, caller-hangup, transfer, voicemail, queue or awaiting:<node>',
  );

export const scenarioSchema = z.strictObject({
  name: z.string().min(1).max(200),
  /** The moment of the call, with its offset: 2025-03-04T10:00:00-05:00. */
  now: z.iso.datetime({ offset: true }),
  caller: z.union([z.literal('unknown'), customer]).default('unknown'),
  from: z.string().max(64).optional(),
  inputs: z.array(simInput).max(100).default([]),
  expect: z
    .strictObject({
      path: z.array(z.string().regex(/^[a-z][a-z0-9/-]*$/)).optional(),
      pathIncludes: z.array(z.string().min(1)).optional(),
      prompts: z.array(z.string().min(1)).optional(),
      ends: ends.optional(),
    })
    .refine((expect) => Object.keys(expect).length > 0, {
      error: 'expect at least one of path, pathIncludes, prompts, ends',
    }),
});

export const scenarioFileSchema = z.strictObject({
  /** The id of the flow the scenarios test, when the file names it. */
  flow: z.string().regex(flowIdPattern).optional(),
  scenarios: z.array(scenarioSchema).min(1).max(200),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioFile = z.output<typeof scenarioFileSchema>;

/** A scenario file's text, parsed, or the problems that stop it parsing. */
export function parseScenarios(
  text: string,
): { ok: true; file: ScenarioFile } | { ok: false; problems: string[] } {
  const document = YAML.parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    return { ok: false, problems: document.errors.map((e) => e.message) };
  }
  const parsed = scenarioFileSchema.safeParse(document.toJS());
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issue.path.map(String).join('.') || '(file)';
      return `${where}: ${issue.message}`;
    });
    return { ok: false, problems };
  }
  return { ok: true, file: parsed.data };
}

const hourMs = 60 * 60 * 1000;

/** The context card bridgeline would hold for the scenario's caller. */
export function scenarioCard(
  scenario: Pick<Scenario, 'caller' | 'now'>,
): ContextCard | undefined {
  const { caller } = scenario;
  if (caller === 'unknown') {
    return undefined;
  }
  const now = Date.parse(scenario.now);
  const conversations = caller.conversations.map((c, index): Conversation => {
    const at = new Date(now - c.hoursAgo * hourMs).toISOString();
    return {
      id: `scenario-${index + 1}`,
      subject: c.subject,
      status: c.status,
      currentChannel: c.channel,
      channels: [c.channel],
      createdAt: at,
      updatedAt: at,
    };
  });
  const since = new Date(now - 365 * 24 * hourMs).toISOString();
  return {
    customer: {
      id: 'scenario-caller',
      ...(caller.name === undefined ? {} : { name: caller.name }),
      ...(caller.tier === undefined ? {} : { tier: caller.tier }),
      ...(caller.language === undefined ? {} : { language: caller.language }),
      consent: {},
      createdAt: since,
      updatedAt: since,
    },
    identities: [],
    conversations: {
      open: conversations.filter((c) => c.status !== 'closed'),
      recent: conversations.filter((c) => c.status === 'closed'),
    },
    timeline: [],
  };
}
