import { validate } from '@jambonz/verb-specifications';
import { pino } from 'pino';
import type { ContextCard } from '../../src/context/card';
import type { Conversation } from '../../src/context/conversations';
import { newCallState, stepThrough } from '../../src/ivr/engine';
import { flowSchema, type Flow, type FlowInput } from '../../src/ivr/flow';
import type {
  ActionPayload,
  CallState,
  JambonzVerb,
  StepContext,
  StepResult,
} from '../../src/ivr/types';

/** Test data for the IVR engine, the simulator and scenarios. */

type NodeInput = FlowInput['nodes'][string];

/** A flow of the given nodes, starting at the first one. */
export function aFlow(
  nodes: Record<string, NodeInput>,
  overrides: Partial<FlowInput> = {},
): Flow {
  return flowSchema.parse({
    id: 'test-flow',
    name: 'Test flow',
    start: Object.keys(nodes)[0],
    nodes,
    ...overrides,
  });
}

/** A Tuesday, 10:00 in New York. */
export const aTuesdayMorning = new Date('2026-12-08T10:00:00-05:00');

export function aConversation(
  overrides: Partial<Conversation> = {},
): Conversation {
  return {
    id: 'conv-1',
    subject: 'your refund',
    status: 'open',
    currentChannel: 'chat',
    channels: ['chat'],
    createdAt: '2026-12-08T08:00:00.000Z',
    updatedAt: '2026-12-08T13:00:00.000Z',
    ...overrides,
  };
}

export function aCard(
  customer: Partial<ContextCard['customer']> = {},
  conversations: Conversation[] = [],
): ContextCard {
  return {
    customer: {
      id: 'c42',
      name: 'Ada Lovelace',
      consent: {},
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      ...customer,
    },
    identities: [],
    conversations: {
      open: conversations.filter((c) => c.status !== 'closed'),
      recent: conversations.filter((c) => c.status === 'closed'),
    },
    timeline: [],
  };
}

export function aContext(overrides: Partial<StepContext> = {}): StepContext {
  return {
    flows: () => undefined,
    card: undefined,
    now: aTuesdayMorning,
    transferAllowlist: [],
    voicemailUrl: (callSid) =>
      `wss://bl.example.com/jambonz/voicemail/${callSid}?token=t`,
    capabilities: {},
    ...overrides,
  };
}

export function aCallState(
  flow: Flow,
  overrides: Partial<CallState> = {},
): CallState {
  return { ...newCallState('CA-test-1', flow.id, 1), ...overrides };
}

/** A new call's first step. */
export function startCall(
  flow: Flow,
  context: StepContext = aContext(),
  state: CallState = aCallState(flow),
): StepResult {
  return stepThrough(flow, state, { kind: 'start' }, context, () => 'done');
}

/** The next step: jambonz posts `payload` to the awaited node's hook. */
export function reply(
  flow: Flow,
  previous: StepResult,
  payload: Omit<ActionPayload, 'call_sid'>,
  context: StepContext = aContext(),
): StepResult {
  const node = previous.state.awaiting ?? 'nothing-awaited';
  return stepThrough(
    flow,
    previous.state,
    { kind: 'action', node, payload: { call_sid: 'CA-test-1', ...payload } },
    context,
    () => 'done',
  );
}

export const pressed = (digits: string) => ({
  reason: 'dtmfDetected',
  digits,
});

export const said = (transcript: string) => ({
  reason: 'speechDetected',
  speech: { is_final: true, alternatives: [{ transcript, confidence: 0.9 }] },
});

export const silence = () => ({ reason: 'timeout' });

/** The texts a step speaks, gather prompts included. */
export function spoken(result: StepResult): string[] {
  return result.verbs.flatMap((verb) => {
    const say = verb.verb === 'say' ? verb : verb.say;
    const text =
      typeof say === 'object' && say !== null && 'text' in say
        ? say.text
        : undefined;
    return typeof text === 'string' ? [text] : [];
  });
}

const verbLogger = pino({ level: 'silent' });

/** Throws, naming the problem, unless jambonz would accept the verbs. */
export function expectValidVerbs(verbs: JambonzVerb[]): void {
  validate(verbLogger, verbs);
}
