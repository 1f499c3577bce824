import type { NodeHandler } from './handler';

/**
 * Offers that move the caller off the phone: a link to go on in SMS, chat
 * or email (handoff), or a call back. The services behind them come in a
 * later issue; until a capability says it can serve the request, the node
 * takes on.unavailable without a word, so its prompt ("we've sent you a
 * link") is never spoken for something that did not happen.
 */

export const handoff: NodeHandler<'handoff'> = {
  enter(node, turn) {
    const service = turn.context.capabilities.handoff;
    if (!service?.available(node.channel)) {
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
    if (node.prompt !== undefined) {
      turn.say(node.prompt, turn.voice(node));
    }
    return { next: node.next };
  },
};
