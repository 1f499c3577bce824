import type { NodeOf, NodeType } from '../flow';
import type { ActionPayload, EffectRequest } from '../types';
import type { Turn } from './turn';

/**
 * How the engine moves after a node has run:
 * - `next`: enter another node of the current flow straight away;
 * - `wait`: the verbs end in one that reports back through an action hook,
 *   and this node resumes when it does;
 * - `end`: the verbs end the call (hangup) or hand it over for good;
 * - `fault`: the flow cannot go on as written; the engine apologises and
 *   hangs up, and says why in the step's result;
 * - `effect`: the node needs something done outside the engine; it resumes
 *   with the outcome in the same webhook (see Effect in types.ts).
 */
export type Transition =
  | { next: string }
  | { wait: true }
  | { end: true }
  | { fault: string }
  | { effect: EffectRequest };

/**
 * One per node type, in the spirit of jambonz's one class per verb: `enter`
 * runs when the call reaches the node, `resume` when jambonz posts the
 * node's action hook (nodes that never wait have none).
 */
export interface NodeHandler<T extends NodeType> {
  enter(node: NodeOf<T>, turn: Turn): Transition;
  resume?(node: NodeOf<T>, payload: ActionPayload, turn: Turn): Transition;
}

export type NodeHandlers = { [T in NodeType]: NodeHandler<T> };
