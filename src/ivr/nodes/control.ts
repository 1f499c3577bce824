import type { NodeHandler } from './handler';
import { hangupVerb } from './speech';

/**
 * Nodes that steer the call without speaking to jambonz: variables, jumps,
 * subflows, and the end of the call.
 */

// Deep enough for any sensible menu tree, shallow enough that a subflow
// calling itself ends in an apology rather than an ever-growing call state.
const MAX_SUBFLOW_DEPTH = 8;

/** Each value is a template, rendered against the variables as they were. */
export const set: NodeHandler<'set'> = {
  enter(node, turn) {
    const rendered = Object.entries(node.values).map(
      ([name, template]) => [name, turn.render(template)] as const,
    );
    for (const [name, value] of rendered) {
      turn.state.vars[name] = value;
    }
    return { next: node.next };
  },
};

export const goto: NodeHandler<'goto'> = {
  enter(node) {
    return { next: node.target };
  },
};

/** Runs another published flow from its start; its return comes back here. */
export const subflow: NodeHandler<'subflow'> = {
  enter(node, turn) {
    const { state } = turn;
    if (state.stack.length >= MAX_SUBFLOW_DEPTH) {
      return { fault: `subflows nested deeper than ${MAX_SUBFLOW_DEPTH}` };
    }
    const target = turn.findFlow(node.flow);
    if (!target) {
      return { fault: `subflow ${node.flow} is not published` };
    }
    state.stack.push({
      flowId: state.flowId,
      flowVersion: state.flowVersion,
      next: node.next,
    });
    turn.switchTo(target);
    return { next: target.flow.start };
  },
};

/** Back to the flow that called this one, at its subflow node's `next`. */
export const back: NodeHandler<'return'> = {
  enter(_node, turn) {
    const frame = turn.state.stack.pop();
    if (!frame) {
      return { fault: 'a return node was reached outside a subflow' };
    }
    const caller = turn.findFlow(frame.flowId, frame.flowVersion);
    if (!caller) {
      return {
        fault: `flow ${frame.flowId} version ${frame.flowVersion} is gone`,
      };
    }
    turn.switchTo(caller);
    return { next: frame.next };
  },
};

export const hangup: NodeHandler<'hangup'> = {
  enter(node, turn) {
    if (node.prompt !== undefined) {
      turn.say(node.prompt, turn.voice(node));
    }
    turn.verbs.push(hangupVerb());
    return { end: true };
  },
};
