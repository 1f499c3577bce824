import type { NodeHandler } from './handler';

/**
 * Offers that move the caller off the phone: a link to go on in chat, sent
 * by SMS or email (handoff), or a call back. The engine only asks whether
 * the service is there at all; the webhook has the link sent or the
 * callback booked, and the node resumes with what happened. Its prompt
 * ("we've sent you a link") is spoken only once it is true; anything that
 * stopped it takes on.unavailable without a word.
 */

export const handoff: NodeHandler<'handoff'> = {
  enter(node, turn) {
    const service = turn.context.capabilities.handoff;
    if (!service?.available(node.channel)) {
      return { next: node.on.unavailable };
    }
    return { effect: { kind: 'handoff', channel: node.channel } };
  },
  resume(node, payload, turn) {
    // Set by bridgeline only: the webhook strips it from jambonz's body.
    if (payload.effect !== 'done') {
      return { next: node.on.unavailable };
    }
    if (node.prompt !== undefined) {
      turn.say(node.prompt, turn.voice(node));
    }
    return { next: node.next };
  },
};

export const callback: NodeHandler<'callback'> = {
  enter(node, turn) {
    const service = turn.context.capabilities.callback;
    if (!service?.available()) {
      return { next: node.on.unavailable };
    }
    return { effect: { kind: 'callback' } };
  },
  resume(node, payload, turn) {
    if (payload.effect !== 'done') {
      return { next: node.on.unavailable };
    }
    if (node.prompt !== undefined) {
      turn.say(node.prompt, turn.voice(node));
    }
    return { next: node.next };
  },
};
