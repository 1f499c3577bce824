import type { NodeOf } from '../flow';
import type {
  ActionPayload,
  EffectOutcome,
  EffectRequest,
  QueuePlacement,
} from '../types';
import type { NodeHandler, Transition } from './handler';
import { hangupVerb } from './speech';
import type { Turn } from './turn';

/**
 * Nodes that put the caller through to someone: an agent queue, or a number
 * or SIP address outside bridgeline.
 */

/**
 * A queue node routes the call through the ACD. The engine only asks
 * whether routing runs at all; the webhook has the call enqueued as a
 * contact (an effect, like handoff), and the node resumes with where the
 * ACD put it: an agent, who is dialled at once, or a place in line, where
 * the caller waits in the jambonz queue of that name and hears their
 * position on each waitHook. When an agent frees up later, bridgeline
 * moves the waiting call to them through the REST API, and the node
 * resumes the same way. Nobody to route to takes on.unavailable, where a
 * flow offers the long-wait options.
 */
export const queue: NodeHandler<'queue'> = {
  enter(node, turn) {
    if (node.prompt !== undefined) {
      turn.say(node.prompt, turn.voice(node));
    }
    const routing = turn.context.capabilities.queue;
    if (!routing?.available(node.queue, node.skills)) {
      return { next: node.on.unavailable };
    }
    return { effect: queueEffect(node) };
  },

  resume(node, payload, turn) {
    // Set by bridgeline only: the webhook strips both from jambonz's body.
    if (payload.effect !== undefined) {
      return placed(node, payload.effect, payload.placement, turn);
    }
    if (payload.dial_call_status !== undefined) {
      return dialEnded(node, payload.dial_call_status, turn);
    }
    return leftQueue(node, payload, turn);
  },
};

function queueEffect(node: NodeOf<'queue'>): EffectRequest {
  return {
    kind: 'queue',
    queue: node.queue,
    skills: node.skills,
    priority: node.priority,
  };
}

function placed(
  node: NodeOf<'queue'>,
  outcome: EffectOutcome,
  placement: QueuePlacement | undefined,
  turn: Turn,
): Transition {
  if (outcome !== 'done') {
    return { next: node.on.unavailable };
  }
  if (placement?.placed === 'agent') {
    turn.verbs.push({
      verb: 'dial',
      actionHook: turn.hook(),
      // jambonz docs, "dial": confirmHook runs on the agent's leg once it
      // answers, before the legs are bridged: that is when the agent has
      // taken the call.
      confirmHook: `/jambonz/queue-answered/${turn.state.callSid}`,
      answerOnBridge: true,
      timeout: placement.ringSeconds,
      target: [{ type: 'sip', sipUri: placement.sipUri }],
    });
    return { wait: true };
  }
  // Skills and priority are the ACD's; jambonz's queue only holds the call.
  turn.verbs.push({
    verb: 'enqueue',
    name: node.queue,
    actionHook: turn.hook(),
    ...(placement === undefined ? {} : { waitHook: '/jambonz/queue-wait' }),
  });
  return { wait: true };
}

/**
 * The dial's action hook comes when the agent's leg ends (jambonz docs,
 * "dial": dial_call_status). Completed: the agent talked to the caller and
 * the call is over. No-answer, busy or failed: the webhook has declined
 * the offer, and routing runs again, to the next agent or into line.
 */
function dialEnded(
  node: NodeOf<'queue'>,
  status: string,
  turn: Turn,
): Transition {
  if (status === 'completed') {
    turn.verbs.push(hangupVerb());
    return { end: true };
  }
  return { effect: queueEffect(node) };
}

/**
 * jambonz posts how the caller left the queue (jambonz docs, "enqueue":
 * queueResult hangup, leave, bridged or error; webhooks carry it in
 * snake case). After a bridged call there is nothing left to do.
 */
function leftQueue(
  node: NodeOf<'queue'>,
  payload: ActionPayload,
  turn: Turn,
): Transition {
  const result = payload.queue_result ?? payload.queueResult;
  if (result === 'bridged' || result === 'hangup') {
    turn.verbs.push(hangupVerb());
    return { end: true };
  }
  return { next: node.on.unavailable };
}

/** The dial target jambonz wants for an E.164 number or a SIP URI. */
function dialTarget(to: string): Record<string, string> {
  return to.startsWith('+')
    ? { type: 'phone', number: to }
    : { type: 'sip', sipUri: to };
}

/**
 * Dials only a destination on the configured allow-list, compared exactly
 * (the user part of a SIP URI is case-sensitive, RFC 3261 section 19.1.4):
 * a flow can never make bridgeline call an arbitrary number.
 */
export const transfer: NodeHandler<'transfer'> = {
  enter(node, turn) {
    if (!turn.context.transferAllowlist.includes(node.to)) {
      return { next: node.on.failure };
    }
    if (node.prompt !== undefined) {
      turn.say(node.prompt, turn.voice(node));
    }
    turn.verbs.push({
      verb: 'dial',
      actionHook: turn.hook(),
      timeout: node.timeoutSeconds,
      target: [dialTarget(node.to)],
    });
    return { wait: true };
  },

  /**
   * The dial's action hook comes when the dialled leg ends (jambonz docs,
   * "dial": dial_call_status). Completed means the caller was put through
   * and the conversation is over; busy, no-answer or failed go on.failure.
   */
  resume(node, payload, turn) {
    if (payload.dial_call_status === 'completed') {
      turn.verbs.push(hangupVerb());
      return { end: true };
    }
    return { next: node.on.failure };
  },
};
