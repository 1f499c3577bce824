import { flowNode } from './flow';
import { checkNode } from './node-checks';
import { pointer } from './schema-problems';
import type { FlowProblem, ValidateOptions } from './validate';

/**
 * The checks a schema cannot express. Here, the flow as a graph: the start
 * node and every transition name a node, and every node can be reached.
 * They read the raw flow, so a node with a schema problem still has its
 * transitions checked; what each node holds is checked in node-checks.ts
 * once the node parses.
 */
export function semanticProblems(
  raw: unknown,
  options: ValidateOptions,
): FlowProblem[] {
  const flow = asRecord(raw);
  const nodes = asRecord(flow?.nodes);
  if (!flow || !nodes) {
    return [];
  }
  const problems: FlowProblem[] = [];
  const ids = new Set(Object.keys(nodes));

  if (
    options.flowId !== undefined &&
    typeof flow.id === 'string' &&
    flow.id !== options.flowId
  ) {
    problems.push({
      path: '/id',
      message:
        `the flow's id is "${flow.id}" but it is saved as ` +
        `"${options.flowId}"; make them the same`,
    });
  }

  const start = flow.start;
  if (typeof start === 'string' && !ids.has(start)) {
    problems.push({
      path: '/start',
      message: `no node "${start}" in this flow; start must name one of its nodes`,
    });
  }

  for (const [id, node] of Object.entries(nodes)) {
    for (const { path, target } of transitions(node)) {
      if (!ids.has(target)) {
        problems.push({
          path: pointer(['nodes', id, ...path]),
          message: `leads to "${target}", but this flow has no node with that id`,
        });
      }
    }
  }

  if (typeof start === 'string' && ids.has(start)) {
    const reached = reachable(start, nodes);
    for (const id of ids) {
      if (!reached.has(id)) {
        problems.push({
          path: pointer(['nodes', id]),
          message:
            `no path from the start node "${start}" leads here; ` +
            'link to it or delete it',
        });
      }
    }
  }

  const flowId = typeof flow.id === 'string' ? flow.id : undefined;
  for (const [id, rawNode] of Object.entries(nodes)) {
    const parsed = flowNode.safeParse(rawNode);
    if (parsed.success) {
      const at = (segments: PropertyKey[], message: string) => {
        problems.push({ path: pointer(['nodes', id, ...segments]), message });
      };
      checkNode(parsed.data, rawNode, { at, options, flowId });
    }
  }
  return problems;
}

interface Transition {
  path: string[];
  target: string;
}

/**
 * Every way out of a node: `next`, `target`, each `on.*`, each choice's and
 * condition's `next`. Read from the raw value, so it works on a node that
 * does not parse yet.
 */
function transitions(node: unknown): Transition[] {
  const found: Transition[] = [];
  const record = asRecord(node);
  if (!record) {
    return found;
  }
  for (const key of ['next', 'target']) {
    const target = record[key];
    if (typeof target === 'string') {
      found.push({ path: [key], target });
    }
  }
  for (const [name, target] of Object.entries(asRecord(record.on) ?? {})) {
    if (typeof target === 'string') {
      found.push({ path: ['on', name], target });
    }
  }
  for (const list of ['choices', 'conditions']) {
    const items = record[list];
    if (Array.isArray(items)) {
      items.forEach((item: unknown, i) => {
        const target = asRecord(item)?.next;
        if (typeof target === 'string') {
          found.push({ path: [list, String(i), 'next'], target });
        }
      });
    }
  }
  return found;
}

function reachable(start: string, nodes: Record<string, unknown>): Set<string> {
  const seen = new Set([start]);
  const queue = [start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const { target } of transitions(nodes[id])) {
      if (target in nodes && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return seen;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
