import { flowIdPattern, type Flow } from '../ivr/flow';
import { readAliases } from '../ivr/flow-reads';
import { defaultAlias } from '../ivr/flow-routing';
import type { FlowStore } from '../ivr/flow-store';
import type { CallState, PublishedFlow, StepContext } from '../ivr/types';

/** What the call service needs of the flow store (src/ivr/flow-store.ts). */
export interface FlowSource {
  /** The flow a dialled number runs now, or undefined when none does. */
  liveForNumber(
    to: string,
  ): Promise<{ flow: Flow; flowId: string; version: number } | undefined>;
  /** Exactly that version: a call stays on the version it started with. */
  getPublished(flowId: string, version: number): Promise<Flow | undefined>;
  /** The live version of a flow by id, for the subflows a flow calls. */
  liveFlow(flowId: string): Promise<PublishedFlow | undefined>;
}

// A subflow may call subflows; this many flows per step is already absurd.
const maxFlowsPerStep = 16;

/**
 * The engine never does I/O, so every flow a step may enter is loaded
 * before it runs: the flows the call has to return to (their exact
 * versions, from the state's stack) and the live version of every subflow
 * reachable from them. A flow without subflows costs no lookup at all.
 */
export async function flowsForStep(
  source: FlowSource,
  current: PublishedFlow,
  stack: CallState['stack'],
): Promise<StepContext['flows']> {
  const exact = new Map<string, PublishedFlow>();
  const live = new Map<string, PublishedFlow>();
  exact.set(versionKey(current.flow.id, current.version), current);

  const callers = await Promise.all(
    stack.map(async (frame) => {
      const flow = await source.getPublished(frame.flowId, frame.flowVersion);
      return flow ? { flow, version: frame.flowVersion } : undefined;
    }),
  );
  for (const caller of callers) {
    if (caller) {
      exact.set(versionKey(caller.flow.id, caller.version), caller);
    }
  }

  const asked = new Set<string>();
  let wanted = subflowIds([...exact.values()], asked);
  while (wanted.length > 0 && asked.size < maxFlowsPerStep) {
    wanted.forEach((id) => asked.add(id));
    const found = await Promise.all(wanted.map((id) => source.liveFlow(id)));
    // A missing subflow is left out: the engine apologises for it.
    wanted.forEach((id, i) => {
      const published = found[i];
      if (published) {
        live.set(id, published);
      }
    });
    wanted = subflowIds(
      found.filter((flow): flow is PublishedFlow => flow !== undefined),
      asked,
    );
  }

  return (flowId, version) => {
    if (version === undefined) {
      return live.get(flowId);
    }
    const known = exact.get(versionKey(flowId, version));
    const current = live.get(flowId);
    return known ?? (current?.version === version ? current : undefined);
  };
}

function versionKey(flowId: string, version: number): string {
  return `${flowId}@${version}`;
}

/** Ids of the flows the given flows call that were not looked up yet. */
function subflowIds(flows: PublishedFlow[], asked: Set<string>): string[] {
  const ids = new Set<string>();
  for (const { flow } of flows) {
    for (const id of subflowsOf(flow)) {
      if (!asked.has(id)) {
        ids.add(id);
      }
    }
  }
  return [...ids];
}

// A published flow never changes, and every step of every call asks which
// flows it calls: the answer is kept with the parsed flow.
const subflowsByFlow = new WeakMap<Flow, readonly string[]>();

function subflowsOf(flow: Flow): readonly string[] {
  let ids = subflowsByFlow.get(flow);
  if (!ids) {
    const found = new Set<string>();
    for (const node of Object.values(flow.nodes)) {
      if (node.type === 'subflow') {
        found.add(node.flow);
      }
    }
    ids = [...found];
    subflowsByFlow.set(flow, ids);
  }
  return ids;
}

/**
 * The flow store as the call service uses it. The store has no lookup of a
 * flow's live version by id yet, so subflows read the `live` alias here.
 * TODO(perf): one HGET per subflow per step; the store's router could cache
 * it under its generation like the number routes.
 */
export function flowSourceOf(store: FlowStore): FlowSource {
  return {
    liveForNumber: (to) => store.liveForNumber(to),
    getPublished: (flowId, version) => store.getPublished(flowId, version),
    async liveFlow(flowId) {
      if (!flowIdPattern.test(flowId)) {
        return undefined;
      }
      const aliases = await readAliases(store.redis, flowId);
      const version = aliases[defaultAlias];
      const flow =
        version === undefined
          ? undefined
          : await store.getPublished(flowId, version);
      return flow && version !== undefined ? { flow, version } : undefined;
    },
  };
}
