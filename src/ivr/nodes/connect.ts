import type { NodeHandler } from './handler';
import { hangupVerb } from './speech';

/**
 * Nodes that put the caller through to someone: an agent queue, or a number
 * or SIP address outside bridgeline.
 */

/**
 * Until agents exist (a later issue) no queue can take a call: the prompt is
 * spoken ("one moment...") and the node takes on.unavailable, where a flow
 * offers the long-wait options. With a queue capability that has someone
 * available, the caller is parked in the jambonz queue of that name.
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
    // Skills and priority are for the agent router, not jambonz's queue.
    turn.verbs.push({
      verb: 'enqueue',
      name: node.queue,
      actionHook: turn.hook(),
    });
    return { wait: true };
  },

  /**
   * jambonz posts how the caller left the queue (jambonz docs, "enqueue":
   * queueResult hangup, leave, bridged or error; webhooks carry it in
   * snake case). After a bridged call there is nothing left to do.
   */
  resume(node, payload, turn) {
    const result = payload.queue_result ?? payload.queueResult;
    if (result === 'bridged' || result === 'hangup') {
      turn.verbs.push(hangupVerb());
      return { end: true };
    }
    return { next: node.on.unavailable };
  },
};

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
