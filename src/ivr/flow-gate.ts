import { BridgelineError, isBridgelineError } from '../errors';
import type { Flow } from './flow';

/**
 * What a draft must pass to become a version, besides validation: its
 * scenarios. The scenario runner is another module; the store takes it as
 * a function, so this file only decides what a failure looks like.
 */

export interface ScenarioResult {
  name: string;
  passed: boolean;
  problems: string[];
}

/** Runs a flow's scenarios; the scenario runner provides it. */
export type ScenarioChecker = (
  flow: Flow,
  scenariosSource: string | undefined,
) => Promise<ScenarioResult[]>;

/**
 * Throws BL_ERR_FLOW_SCENARIOS_FAILED naming each failed scenario (as the
 * problem's field) with what went wrong. A checker that itself fails
 * refuses the publish too: an untested flow is never published.
 */
export async function requireScenariosPass(
  check: ScenarioChecker,
  flow: Flow,
  scenarios: string | undefined,
): Promise<void> {
  let results: ScenarioResult[];
  try {
    results = await check(flow, scenarios);
  } catch (err) {
    if (isBridgelineError(err)) {
      throw err;
    }
    const message = err instanceof Error ? err.message : String(err);
    throw new BridgelineError('BL_ERR_FLOW_SCENARIOS_FAILED', {
      problems: [{ field: 'scenarios', message }],
    });
  }
  const problems = results
    .filter((result) => !result.passed)
    .flatMap((result) =>
      (result.problems.length > 0 ? result.problems : ['failed']).map(
        (message) => ({ field: result.name, message }),
      ),
    );
  if (problems.length > 0) {
    throw new BridgelineError('BL_ERR_FLOW_SCENARIOS_FAILED', { problems });
  }
}
