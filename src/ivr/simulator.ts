import type { CallerCard } from '../context/card';
import type { EventInput } from '../context/events';
import { newCallState, stepThrough } from './engine';
import type { Flow } from './flow';
import type {
  ActionPayload,
  CallState,
  Capabilities,
  JambonzVerb,
  PublishedFlow,
  StepContext,
  StepInput,
  StepResult,
} from './types';

/**
 * Runs a flow for a scripted caller, as jambonz would: the new call, then
 * each input posted to the action hook of the node the call awaits. Pure:
 * the same flow, caller and inputs always give the same steps, so an admin
 * can try a flow before it takes a single real call.
 */

/** What the scripted caller does at the node the call awaits. */
export type SimInput =
  | { digits: string }
  | { speech: string }
  | 'timeout'
  | 'hangup'
  | { dial: string }
  | { recording: string; seconds?: number };

export interface SimOptions {
  /** The caller's number, as the webhook would see it; shown, not used. */
  from?: string;
  /** The caller's context card; none for an unknown caller. */
  card?: CallerCard;
  /** The conversation the call belongs to, if the webhook opened one. */
  conversationId?: string;
  now: Date;
  inputs: SimInput[];
  /** Other flows by id, for subflows. */
  flows?: Record<string, Flow>;
  transferAllowlist?: readonly string[];
  capabilities?: Capabilities;
}

export interface SimStep {
  /** The input that led to this step; none for the call's first. */
  input?: SimInput;
  /** The nodes this step passed through, a resumed node first. */
  path: string[];
  verbs: JambonzVerb[];
  /** The texts the caller heard, in order. */
  prompts: string[];
  awaiting?: string;
  ended: boolean;
  fault?: string;
}

export interface SimResult {
  steps: SimStep[];
  /** Every node the call entered, in order: the IVR path. */
  path: string[];
  state: CallState;
  events: EventInput[];
  /** True when the scripted caller hung up before the flow ended. */
  hungUp: boolean;
  /** Inputs left over once the call had ended. */
  unusedInputs: number;
}

export const SIM_CALL_SID = 'simulated-call';

/** The body jambonz would post to the action hook for this input. */
export function simPayload(input: Exclude<SimInput, 'hangup'>): ActionPayload {
  const payload: ActionPayload = { call_sid: SIM_CALL_SID };
  if (input === 'timeout') {
    return { ...payload, reason: 'timeout' };
  }
  if ('digits' in input) {
    return { ...payload, reason: 'dtmfDetected', digits: input.digits };
  }
  if ('speech' in input) {
    const alternatives = [{ transcript: input.speech, confidence: 0.9 }];
    return {
      ...payload,
      reason: 'speechDetected',
      speech: { is_final: true, alternatives },
    };
  }
  if ('dial' in input) {
    return { ...payload, dial_call_status: input.dial };
  }
  return {
    ...payload,
    recording_url: input.recording,
    ...(input.seconds === undefined ? {} : { duration: input.seconds }),
  };
}

/** Every text a list of verbs speaks, a gather's prompt included. */
export function spokenTexts(verbs: JambonzVerb[]): string[] {
  const texts: string[] = [];
  for (const verb of verbs) {
    const say = verb.verb === 'say' ? verb : verb.say;
    if (typeof say === 'object' && say !== null && 'text' in say) {
      const text = say.text;
      if (typeof text === 'string') {
        texts.push(text);
      }
    }
  }
  return texts;
}

function stepContext(options: SimOptions): StepContext {
  const flows = options.flows ?? {};
  return {
    flows: (flowId: string): PublishedFlow | undefined => {
      const flow = Object.hasOwn(flows, flowId) ? flows[flowId] : undefined;
      return flow && { flow, version: 1 };
    },
    card: options.card,
    now: options.now,
    transferAllowlist: options.transferAllowlist ?? [],
    voicemailUrl: (callSid) =>
      `wss://simulator.invalid/jambonz/voicemail/${callSid}`,
    capabilities: options.capabilities ?? {},
  };
}

export function simulate(flow: Flow, options: SimOptions): SimResult {
  const context = stepContext(options);
  const events: EventInput[] = [];
  const steps: SimStep[] = [];

  const record = (result: StepResult, input?: SimInput) => {
    events.push(...result.events);
    steps.push({
      ...(input === undefined ? {} : { input }),
      path: result.events.flatMap((e) => (e.type === 'ivr.step' ? e.node : [])),
      verbs: result.verbs,
      prompts: spokenTexts(result.verbs),
      ...(result.state.awaiting === undefined
        ? {}
        : { awaiting: result.state.awaiting }),
      ended: result.state.ended,
      ...(result.fault === undefined ? {} : { fault: result.fault }),
    });
    return result.state;
  };

  const caller = options.card && { customerId: options.card.customer.id };
  const fresh = newCallState(SIM_CALL_SID, flow.id, 1, {
    ...caller,
    ...(options.conversationId === undefined
      ? {}
      : { conversationId: options.conversationId }),
  });
  // An effect the engine asks for is one whose service said it was there:
  // the simulator plays it as done.
  const run = (current: Flow, from: CallState, input: StepInput) =>
    stepThrough(current, from, input, context, () => 'done');
  let state = record(run(flow, fresh, { kind: 'start' }));
  let hungUp = false;
  let used = 0;

  for (const input of options.inputs) {
    if (state.ended || state.awaiting === undefined) {
      break;
    }
    used += 1;
    if (input === 'hangup') {
      hungUp = true;
      break;
    }
    // Like the webhook, load the flow the state names: a subflow while one
    // runs. The engine only ever moves into flows it was given.
    const current =
      state.flowId === flow.id ? flow : context.flows(state.flowId)?.flow;
    if (!current) {
      break;
    }
    const action = {
      kind: 'action' as const,
      node: state.awaiting,
      payload: simPayload(input),
    };
    state = record(run(current, state, action), input);
  }

  return {
    steps,
    path: state.path,
    state,
    events,
    hungUp,
    unusedInputs: options.inputs.length - used,
  };
}
