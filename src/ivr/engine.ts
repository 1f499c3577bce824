import type { Flow, FlowNode, NodeType } from './flow';
import { handlers } from './nodes';
import type { NodeHandler, Transition } from './nodes/handler';
import { hangupVerb, sayVerb } from './nodes/speech';
import { Turn } from './nodes/turn';
import type {
  ActionPayload,
  CallState,
  Effect,
  EffectOutcome,
  Step,
  StepContext,
  StepInput,
  StepResult,
} from './types';

/**
 * The IVR engine: a pure function from (flow, call state, what jambonz
 * reported, the caller's context) to (verbs for jambonz, the next call
 * state, timeline events). It never does I/O and never throws for anything
 * a flow or a webhook can contain: whatever goes wrong ends in an apology
 * and a hangup, never in a webhook error that leaves the caller in silence.
 */

/** A step that passes this many nodes without the caller is a loop. */
export const MAX_NODES_PER_STEP = 50;

export const APOLOGY =
  'We are sorry, something went wrong on our side. Please call again later. ' +
  'Goodbye.';

/** The state of a call that has not entered its flow yet. */
export function newCallState(
  callSid: string,
  flowId: string,
  flowVersion: number,
  caller: Pick<CallState, 'customerId' | 'conversationId'> = {},
): CallState {
  return {
    callSid,
    flowId,
    flowVersion,
    attempts: 0,
    vars: {},
    path: [],
    stack: [],
    ended: false,
    ...caller,
  };
}

/**
 * `flow` is the flow named by the state's flowId and flowVersion: the one
 * the call is in now, which is a subflow while one runs.
 */
export const step: Step = (flow, state, input, context) => {
  const turn = new Turn(flow, structuredClone(state), context);
  try {
    if (input.kind === 'start') {
      Object.assign(turn.state, {
        flowId: flow.id,
        awaiting: undefined,
        attempts: 0,
        ended: false,
        vars: { ...flow.variables, ...turn.state.vars },
      });
      run(turn, { next: flow.start }, flow.start);
    } else {
      resume(turn, input.node, input.payload);
    }
    return finish(turn);
  } catch (err) {
    // A bug here, or a capability that threw: the caller still hears why
    // the call ends, and the webhook logs the reason.
    const failed = new Turn(flow, structuredClone(state), context);
    const message = err instanceof Error ? err.message : String(err);
    fault(failed, `the engine failed: ${message}`);
    return finish(failed);
  }
};

/**
 * A node by id. Own properties only: a flow's nodes are a plain object, and
 * `constructor` is a valid node id that must not find Object's.
 */
export function nodeOf(flow: Flow, id: string): FlowNode | undefined {
  return Object.hasOwn(flow.nodes, id) ? flow.nodes[id] : undefined;
}

function handlerOf(node: FlowNode): NodeHandler<NodeType> {
  return handlers[node.type] as NodeHandler<NodeType>;
}

/**
 * An action hook for the node the call awaits resumes it. One for another
 * node is stale (jambonz retried, or the caller was re-asked meanwhile): the
 * awaited node asks again, so the caller hears a question, not silence.
 */
function resume(turn: Turn, node: string, payload: ActionPayload): void {
  const { state } = turn;
  const awaiting = state.awaiting;
  if (awaiting === undefined || state.ended) {
    fault(turn, 'an action hook came for a call that awaits no input');
    return;
  }
  state.awaiting = undefined;
  if (node !== awaiting) {
    run(turn, { next: awaiting }, awaiting);
    return;
  }

  const flowNode = nodeOf(turn.flow, awaiting);
  const handler = flowNode && handlerOf(flowNode);
  if (!flowNode || !handler?.resume) {
    fault(turn, `node ${awaiting} cannot resume in flow ${turn.flow.id}`);
    return;
  }
  turn.pass(awaiting, false);
  run(turn, handler.resume(flowNode, payload, turn), awaiting);
}

/**
 * Follows transitions, entering node after node, until one waits for
 * jambonz to report back or the call ends. `current` is the node whose
 * transition is in hand.
 */
function run(turn: Turn, first: Transition, current: string): void {
  const { state } = turn;
  let transition = first;
  let entered = 0;

  for (;;) {
    if ('wait' in transition) {
      state.awaiting = current;
      return;
    }
    if ('end' in transition) {
      state.ended = true;
      return;
    }
    if ('fault' in transition) {
      fault(turn, transition.fault);
      return;
    }
    if ('effect' in transition) {
      // The node resumes once the webhook has had the effect done.
      state.awaiting = current;
      turn.effect = { ...transition.effect, node: current };
      return;
    }

    const id = transition.next;
    const node = nodeOf(turn.flow, id);
    if (!node) {
      fault(turn, `node ${id} does not exist in flow ${turn.flow.id}`);
      return;
    }
    if (entered >= MAX_NODES_PER_STEP) {
      fault(turn, `${MAX_NODES_PER_STEP} nodes passed without input: a loop`);
      return;
    }
    entered += 1;
    current = id;
    turn.pass(id, true);
    transition = handlerOf(node).enter(node, turn);
    if ('wait' in transition) {
      state.attempts = 1; // a node entered afresh asks for the first time
    }
  }
}

/** Apologises and hangs up; the reason goes back to the webhook to log. */
function fault(turn: Turn, reason: string): void {
  turn.fault = reason;
  turn.effect = undefined;
  turn.verbs.push(sayVerb(APOLOGY, turn.voice({})), hangupVerb());
  turn.spoken(APOLOGY);
  turn.state.awaiting = undefined;
  turn.state.ended = true;
}

/**
 * jambonz ends a call whose verbs run out (jambonz docs, "actionHook":
 * without one, execution goes on with the next verb, and there is none), so
 * every answer must end in a verb that reports back, or in a hangup.
 */
function finish(turn: Turn): StepResult {
  const last = turn.verbs.at(-1);
  // A pending effect resumes its node in the same webhook: the verbs that
  // answer jambonz are the ones that step ends with.
  const continues =
    turn.effect !== undefined ||
    (last !== undefined &&
      (last.verb === 'hangup' ||
        (turn.state.awaiting !== undefined && 'actionHook' in last)));
  if (!continues) {
    fault(turn, 'the verbs left jambonz without a next instruction');
  }
  turn.finish();
  return {
    verbs: turn.verbs,
    state: turn.state,
    events: turn.events,
    ...(turn.fault === undefined ? {} : { fault: turn.fault }),
    ...(turn.effect === undefined ? {} : { effect: turn.effect }),
  };
}

/**
 * A step, and while it stops for an effect, the resumed node's, with the
 * outcome `resolve` gives: how the simulator and tests play an effect. The
 * webhook has effects done for real, asynchronously (call-steps.ts).
 */
export function stepThrough(
  flow: Flow,
  state: CallState,
  input: StepInput,
  context: StepContext,
  resolve: (effect: Effect) => EffectOutcome,
): StepResult {
  let result = step(flow, state, input, context);
  for (let i = 0; result.effect && i < MAX_NODES_PER_STEP; i += 1) {
    const { effect } = result;
    const current = flowOfState(flow, result.state, context);
    if (!current) {
      break;
    }
    const payload = { call_sid: state.callSid, effect: resolve(effect) };
    const resumed = step(
      current,
      result.state,
      { kind: 'action', node: effect.node, payload },
      context,
    );
    result = joinSteps(result, resumed);
  }
  return result;
}

/** The flow a call's state is in now: `flow`, or a subflow it entered. */
export function flowOfState(
  flow: Flow,
  state: CallState,
  context: StepContext,
): Flow | undefined {
  return state.flowId === flow.id
    ? flow
    : context.flows(state.flowId, state.flowVersion)?.flow;
}

/**
 * One webhook's answer when an effect split it into two steps: what the
 * caller heard before the effect, then what the resumed node said.
 */
export function joinSteps(first: StepResult, second: StepResult): StepResult {
  const fault = second.fault ?? first.fault;
  return {
    verbs: [...first.verbs, ...second.verbs],
    events: [...first.events, ...second.events],
    state: second.state,
    ...(fault === undefined ? {} : { fault }),
    ...(second.effect === undefined ? {} : { effect: second.effect }),
  };
}
