import fs from 'node:fs/promises';
import path from 'node:path';
import { isBridgelineError } from '../errors';
import type { Logger } from '../log';
import type { FlowStore } from './flow-store';

/**
 * First start: the flows shipped in ivr-flows/ become drafts and version 1,
 * so a new install answers calls. A flow id that already has a version, or
 * a draft an admin saved, is left alone: loading again after a restart or
 * an upgrade never overwrites an admin's work. Two instances starting at
 * once race on one compare-and-set; the loser skips.
 */

/** Who saved a shipped flow, as shown in drafts and version history. */
export const shippedAuthor = 'bridgeline';

export interface ShippedReport {
  published: string[];
  skipped: string[];
  failed: { flowId: string; problems: { field: string; message: string }[] }[];
}

/** `main.yaml` (or .yml, .json) is flow `main`; scenarios sit beside it. */
export async function shippedFlowFiles(
  dir: string,
): Promise<{ flowId: string; file: string; scenariosFile?: string }[]> {
  const names = (await fs.readdir(dir)).sort();
  return names
    .filter(
      (name) =>
        /\.(ya?ml|json)$/.test(name) &&
        !/\.scenarios\.ya?ml$/.test(name) &&
        name !== 'schema.json',
    )
    .map((name) => {
      const flowId = name.replace(/\.(ya?ml|json)$/, '');
      const scenarios = [`${flowId}.scenarios.yaml`, `${flowId}.scenarios.yml`]
        .filter((candidate) => names.includes(candidate))
        .map((candidate) => path.join(dir, candidate));
      return {
        flowId,
        file: path.join(dir, name),
        ...(scenarios[0] === undefined ? {} : { scenariosFile: scenarios[0] }),
      };
    });
}

export async function loadShippedFlows(
  store: FlowStore,
  dir: string,
  logger?: Logger,
): Promise<ShippedReport> {
  const report: ShippedReport = { published: [], skipped: [], failed: [] };
  for (const { flowId, file, scenariosFile } of await shippedFlowFiles(dir)) {
    const source = await fs.readFile(file, 'utf8');
    const scenarios =
      scenariosFile === undefined
        ? undefined
        : await fs.readFile(scenariosFile, 'utf8');
    try {
      const outcome = await loadOne(store, flowId, source, scenarios);
      report[outcome].push(flowId);
    } catch (err) {
      if (!isBridgelineError(err)) {
        throw err;
      }
      if (err.status === 409) {
        report.skipped.push(flowId);
        continue;
      }
      const problems =
        err.problems.length > 0
          ? err.problems
          : [{ field: err.field ?? '', message: err.message }];
      report.failed.push({ flowId, problems });
      logger?.error(
        { flowId, code: err.code, problems },
        'shipped flow not published',
      );
    }
  }
  // Routes cached by a previous run may predate whatever happened here.
  await store.router.invalidate();
  logger?.info(
    { published: report.published, skipped: report.skipped.length },
    'shipped flows loaded',
  );
  return report;
}

async function loadOne(
  store: FlowStore,
  flowId: string,
  source: string,
  scenarios: string | undefined,
): Promise<'published' | 'skipped'> {
  if ((await store.versionCount(flowId)) > 0) {
    return 'skipped';
  }
  let draft = await store.getDraft(flowId);
  if (draft && draft.savedBy !== shippedAuthor) {
    return 'skipped';
  }
  // A shipped draft without a version: an earlier start stopped part-way,
  // or its flow failed to publish and a newer release may ship a fix.
  draft = await store.saveDraft(flowId, {
    source,
    ...(scenarios === undefined ? {} : { scenarios }),
    expectedChecksum: draft ? draft.checksum : null,
    author: shippedAuthor,
  });
  await store.publish(flowId, {
    expectedChecksum: draft.checksum,
    baseVersion: 0,
    author: shippedAuthor,
    note: 'shipped with bridgeline',
  });
  return 'published';
}
