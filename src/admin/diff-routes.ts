import { structuredPatch } from 'diff';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../context/validate';
import { BridgelineError, isBridgelineError } from '../errors';
import type { FlowStore } from '../ivr/flow-store';

/**
 * What changed between two versions of a flow, or between a version and
 * the draft: the sources as the admin wrote them, compared line by line,
 * in unified-diff hunks (three lines of context) the admin page renders.
 */

type WithFlow = { Params: { id: string } };

const versionNumber = z
  .string()
  .regex(/^[1-9]\d{0,8}$/, 'a version number from 1')
  .transform(Number);

const diffQuery = z.strictObject({
  from: versionNumber,
  to: z.union([z.literal('draft'), versionNumber], {
    error: 'a version number from 1, or draft',
  }),
});

export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Each line with its mark: ' ' the same, '-' removed, '+' added. */
  lines: string[];
}

export interface FlowDiff {
  flowId: string;
  from: number;
  to: number | 'draft';
  hunks: DiffHunk[];
}

export function diffRoutes(
  app: FastifyInstance,
  { flowStore }: { flowStore: FlowStore },
): void {
  app.get<WithFlow>('/flows/:id/diff', async (request): Promise<FlowDiff> => {
    const flowId = request.params.id;
    const { from, to } = parseInput(diffQuery, request.query);
    const [before, after] = await Promise.all([
      versionSource(flowStore, flowId, from, 'from'),
      to === 'draft'
        ? draftSource(flowStore, flowId)
        : versionSource(flowStore, flowId, to, 'to'),
    ]);
    const patch = structuredPatch(
      `v${from}`,
      to === 'draft' ? 'draft' : `v${to}`,
      before,
      after,
      undefined,
      undefined,
      { context: 3 },
    );
    return {
      flowId,
      from,
      to,
      hunks: patch.hunks.map((hunk) => ({
        oldStart: hunk.oldStart,
        oldLines: hunk.oldLines,
        newStart: hunk.newStart,
        newLines: hunk.newLines,
        lines: hunk.lines,
      })),
    };
  });
}

/** A version's source; an unknown one is a 404 naming the query field. */
async function versionSource(
  flowStore: FlowStore,
  flowId: string,
  version: number,
  field: 'from' | 'to',
): Promise<string> {
  try {
    return (await flowStore.getVersion(flowId, version)).source;
  } catch (err) {
    if (
      isBridgelineError(err) &&
      err.code === 'BL_ERR_FLOW_VERSION_NOT_FOUND'
    ) {
      throw new BridgelineError('BL_ERR_FLOW_VERSION_NOT_FOUND', { field });
    }
    throw err;
  }
}

async function draftSource(
  flowStore: FlowStore,
  flowId: string,
): Promise<string> {
  const draft = await flowStore.getDraft(flowId);
  if (!draft) {
    throw new BridgelineError('BL_ERR_FLOW_NOT_FOUND', { field: 'id' });
  }
  return draft.source;
}
