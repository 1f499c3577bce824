import YAML from 'yaml';
import type { FlowInput } from '../../src/ivr/flow';

/** Test data for flow validation, the flow store and the admin API. */

let sequence = 0;

/** A fresh flow id per call, so tests sharing a Redis never collide. */
export function aFlowId(): string {
  sequence += 1;
  return `flow-${sequence}`;
}

/**
 * A small valid flow as an admin writes it: a greeting, a menu with two
 * choices, a queue and a goodbye. Every node is reachable.
 */
export function aFlowInput(overrides: Partial<FlowInput> = {}): FlowInput {
  return {
    id: 'main',
    name: 'Front door',
    start: 'greet',
    nodes: {
      greet: {
        type: 'say',
        text: 'Hello {{customer.firstName | there}}.',
        next: 'main-menu',
      },
      'main-menu': {
        type: 'menu',
        prompt: 'For billing press 1. To leave, press 2.',
        choices: [
          { key: '1', phrases: ['billing'], next: 'billing' },
          { key: '2', phrases: ['goodbye'], next: 'goodbye' },
        ],
        on: { timeout: 'goodbye', noMatch: 'goodbye' },
      },
      billing: {
        type: 'queue',
        queue: 'billing',
        on: { unavailable: 'goodbye' },
      },
      goodbye: { type: 'hangup', prompt: 'Goodbye.' },
    },
    ...overrides,
  };
}

/** The flow as YAML text, the way an admin saves it. */
export function flowYaml(flow: unknown): string {
  return YAML.stringify(flow);
}

/** The same flow with nodes replaced or added; the values are unchecked. */
export function withNodes(
  flow: FlowInput,
  nodes: Record<string, unknown>,
): Record<string, unknown> & { nodes: Record<string, unknown> } {
  return { ...flow, nodes: { ...flow.nodes, ...nodes } };
}

export function withNode(
  flow: FlowInput,
  id: string,
  node: unknown,
): Record<string, unknown> & { nodes: Record<string, unknown> } {
  return withNodes(flow, { [id]: node });
}
