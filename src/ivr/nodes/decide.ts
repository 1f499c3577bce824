import { holds } from '../conditions';
import { isOpen } from '../hours';
import type { NodeHandler } from './handler';

/** The first condition that holds picks the way; none holding, `next`. */
export const branch: NodeHandler<'branch'> = {
  enter(node, turn) {
    const facts = turn.facts();
    const taken = node.conditions.find((option) => holds(option.when, facts));
    return { next: taken?.next ?? node.next };
  },
};

/** Open or closed at this instant, on the schedule's own wall clock. */
export const hours: NodeHandler<'hours'> = {
  enter(node, turn) {
    const open = isOpen(node, turn.context.now);
    return { next: open ? node.on.open : node.on.closed };
  },
};
