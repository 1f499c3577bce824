import { nodeOf } from './engine';
import type { Flow } from './flow';
import { parseScenarios, scenarioCard, type Scenario } from './scenario-file';
import { simulate, type SimResult } from './simulator';
import type { Capabilities } from './types';

/**
 * Runs a flow's scenarios (scenario-file.ts) in the simulator and says, for
 * each, what differed from what it expected. Publishing refuses a flow
 * whose scenarios fail.
 */

export interface ScenarioOptions {
  /** Other flows by id, for subflows. */
  flows?: Record<string, Flow>;
  transferAllowlist?: readonly string[];
  capabilities?: Capabilities;
}

export interface ScenarioResult {
  name: string;
  passed: boolean;
  /** What differed from the expectation, one sentence each. */
  problems: string[];
  path: string[];
  prompts: string[];
}

interface Ending {
  kind: string;
  awaiting?: string;
}

/** How the simulated call ended, in the words of `expect.ends`. */
function endingOf(
  flow: Flow,
  result: SimResult,
  options: ScenarioOptions,
): Ending {
  const { state } = result;
  if (result.hungUp) {
    return { kind: 'caller-hangup' };
  }
  if (state.ended || state.awaiting === undefined) {
    return { kind: 'hangup' };
  }
  const flows = options.flows ?? {};
  const current =
    state.flowId === flow.id
      ? flow
      : Object.hasOwn(flows, state.flowId)
        ? flows[state.flowId]
        : undefined;
  const type = current && nodeOf(current, state.awaiting)?.type;
  const kind =
    type === 'transfer' || type === 'voicemail' || type === 'queue'
      ? type
      : `awaiting:${state.awaiting}`;
  return { kind, awaiting: state.awaiting };
}

/**
 * The first of `wanted` not found in `seen` in order, others allowed in
 * between; with `reuse`, one item may match several in a row (one prompt
 * may hold two expected phrases).
 */
function missingInOrder(
  wanted: string[],
  seen: string[],
  matches: (want: string, item: string) => boolean,
  reuse: boolean,
): string | undefined {
  let from = 0;
  for (const want of wanted) {
    const at = seen.findIndex((item, i) => i >= from && matches(want, item));
    if (at < 0) {
      return want;
    }
    from = reuse ? at : at + 1;
  }
  return undefined;
}

function check(
  scenario: Scenario,
  flow: Flow,
  result: SimResult,
  options: ScenarioOptions,
): string[] {
  const problems: string[] = [];
  const { expect } = scenario;
  const path = result.path;
  const prompts = result.steps.flatMap((s) => s.prompts);
  const list = (items: string[]) => `[${items.join(', ')}]`;

  for (const fault of result.steps.flatMap((s) => s.fault ?? [])) {
    problems.push(`the call ended in an apology: ${fault}`);
  }
  if (expect.path && list(expect.path) !== list(path)) {
    problems.push(`path: expected ${list(expect.path)}, got ${list(path)}`);
  }
  if (expect.pathIncludes) {
    const missing = missingInOrder(
      expect.pathIncludes,
      path,
      (a, b) => a === b,
      false,
    );
    if (missing !== undefined) {
      problems.push(
        `path: ${missing} was not passed in the expected order; ` +
          `got ${list(path)}`,
      );
    }
  }
  if (expect.prompts) {
    const missing = missingInOrder(
      expect.prompts,
      prompts,
      (a, b) => b.includes(a),
      true,
    );
    if (missing !== undefined) {
      problems.push(
        `prompts: "${missing}" was not heard in the expected order`,
      );
    }
  }
  if (expect.ends) {
    const ending = endingOf(flow, result, options);
    const matches =
      expect.ends === ending.kind ||
      expect.ends === `awaiting:${ending.awaiting ?? ''}`;
    if (!matches) {
      problems.push(`ends: expected ${expect.ends}, got ${ending.kind}`);
    }
  }
  if (result.unusedInputs > 0) {
    problems.push(
      `inputs: ${result.unusedInputs} left over after the call ended`,
    );
  }
  return problems;
}

export function runScenarios(
  flow: Flow,
  scenarios: Scenario[],
  options: ScenarioOptions = {},
): ScenarioResult[] {
  return scenarios.map((scenario) => {
    const card = scenarioCard(scenario);
    const result = simulate(flow, {
      ...(card === undefined ? {} : { card }),
      ...(scenario.from === undefined ? {} : { from: scenario.from }),
      now: new Date(scenario.now),
      inputs: scenario.inputs,
      ...options,
    });
    const problems = check(scenario, flow, result, options);
    return {
      name: scenario.name,
      passed: problems.length === 0,
      problems,
      path: result.path,
      prompts: result.steps.flatMap((s) => s.prompts),
    };
  });
}

/**
 * Runs a scenario file's text against a flow: what the flow store calls
 * before it publishes. A file that does not parse, or that names another
 * flow, comes back as one failed result that says why.
 */
export function checkScenarioText(
  flow: Flow,
  text: string,
  options: ScenarioOptions = {},
): ScenarioResult[] {
  const parsed = parseScenarios(text);
  const failed = (problems: string[]): ScenarioResult[] => [
    { name: 'scenario file', passed: false, problems, path: [], prompts: [] },
  ];
  if (!parsed.ok) {
    return failed(parsed.problems);
  }
  if (parsed.file.flow !== undefined && parsed.file.flow !== flow.id) {
    return failed([`the file tests flow ${parsed.file.flow}, not ${flow.id}`]);
  }
  return runScenarios(flow, parsed.file.scenarios, options);
}

/**
 * The flow store's scenario gate (its ScenarioChecker): runs the scenario
 * file published with a flow. A flow without one has nothing to fail.
 */
export function scenarioChecker(
  options: ScenarioOptions = {},
): (flow: Flow, source: string | undefined) => Promise<ScenarioResult[]> {
  return (flow, source) =>
    Promise.resolve(
      source === undefined ? [] : checkScenarioText(flow, source, options),
    );
}
