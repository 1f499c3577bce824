import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../context/validate';
import { BridgelineError } from '../errors';
import type { FlowStore } from '../ivr/flow-store';
import { scenarioCard, scenarioSchema } from '../ivr/scenario-file';
import { simulate } from '../ivr/simulator';
import { flowInvalid } from '../ivr/validate';

/**
 * Flow editing over HTTP: thin handlers that read the input and call the
 * flow store. A flow's source comes either as JSON, `{source, scenarios?,
 * expectedChecksum?}`, or as the raw YAML file with content-type
 * application/yaml and the expected checksum in If-Match. Every answer
 * that carries a draft also carries its checksum as the ETag.
 */

type WithFlow = { Params: { id: string } };
type WithVersion = { Params: { id: string; version: string } };

const checksum = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'the checksum a previous answer gave, 64 hex');
const author = z.string().trim().min(1).max(100);
const alias = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'an alias, e.g. live');
const text = z.string().max(200_000);

const draftBody = z.strictObject({
  source: text.min(1, 'the flow, as YAML or JSON text'),
  scenarios: text.optional(),
  /** null: "I am creating this flow; refuse if someone else already did". */
  expectedChecksum: checksum.nullable().optional(),
  author: author.optional(),
});

const publishBody = z.strictObject({
  note: z.string().max(500).optional(),
  expectedChecksum: checksum.optional(),
  baseVersion: z.number().int().min(0).optional(),
  alias: alias.optional(),
  author: author.optional(),
});

const rollbackBody = z.strictObject({
  toVersion: z.number().int().min(1).optional(),
  alias: alias.optional(),
  author: author.optional(),
});

/** A scripted caller, in the scenario files' terms; the draft by default. */
const simulateBody = scenarioSchema
  .pick({ caller: true, from: true, inputs: true })
  .extend({
    source: text.min(1).optional(),
    now: z.iso.datetime({ offset: true }).optional(),
  });

export function flowRoutes(
  app: FastifyInstance,
  { flowStore }: { flowStore: FlowStore },
): void {
  app.get('/flows', async () => ({ flows: await flowStore.list() }));

  app.get<WithFlow>('/flows/:id', async (request) =>
    flowStore.details(request.params.id),
  );

  app.put<WithFlow>('/flows/:id/draft', async (request, reply) => {
    const input = draftInput(request);
    const draft = await flowStore.saveDraft(request.params.id, input);
    void reply.header('etag', `"${draft.checksum}"`);
    if (!draft.valid) {
      throw flowInvalid(
        draft.problems,
        'The draft is saved, but it has problems, each listed with its ' +
          'JSON pointer in problems[].field; fix them before you publish.',
      );
    }
    return draft;
  });

  app.post<WithFlow>('/flows/:id/validate', async (request) => {
    const { source } = draftInput(request);
    const result = await flowStore.validate(request.params.id, source);
    if (!result.ok) {
      throw flowInvalid(
        result.problems,
        'The flow has problems, each listed with its JSON pointer in ' +
          'problems[].field; nothing was saved.',
      );
    }
    return { valid: true, flow: result.flow };
  });

  app.post<WithFlow>('/flows/:id/simulate', async (request) => {
    const input = parseInput(simulateBody, request.body ?? {});
    const source =
      input.source ?? (await flowStore.getDraft(request.params.id))?.source;
    if (source === undefined) {
      throw new BridgelineError('BL_ERR_FLOW_NOT_FOUND', { field: 'id' });
    }
    const result = await flowStore.validate(request.params.id, source);
    if (!result.ok) {
      throw flowInvalid(
        result.problems,
        'The flow has problems, so it cannot be simulated; each is listed ' +
          'with its JSON pointer in problems[].field.',
      );
    }
    const { transferAllowlist } = flowStore;
    const now = input.now ?? new Date().toISOString();
    const card = scenarioCard({ now, caller: input.caller });
    return simulate(result.flow, {
      now: new Date(now),
      inputs: input.inputs,
      ...(input.from === undefined ? {} : { from: input.from }),
      ...(card === undefined ? {} : { card }),
      ...(transferAllowlist === undefined ? {} : { transferAllowlist }),
    });
  });

  app.post<WithFlow>('/flows/:id/publish', async (request, reply) => {
    const input = parseInput(publishBody, request.body ?? {});
    const version = await flowStore.publish(request.params.id, input);
    return reply.status(201).send(version);
  });

  app.post<WithFlow>('/flows/:id/rollback', async (request) => {
    const input = parseInput(rollbackBody, request.body ?? {});
    return flowStore.rollback(request.params.id, input);
  });

  app.get<WithFlow>('/flows/:id/versions', async (request) => ({
    versions: await flowStore.listVersions(request.params.id),
  }));

  app.get<WithVersion>('/flows/:id/versions/:version', async (request) => {
    const { id, version } = request.params;
    if (!/^[1-9]\d{0,8}$/.test(version)) {
      throw new BridgelineError('BL_ERR_INVALID_INPUT', {
        field: 'version',
        message: 'A version is a whole number from 1.',
      });
    }
    return flowStore.getVersion(id, Number(version));
  });
}

/** The draft in either form: JSON fields, or the YAML file as the body. */
function draftInput(request: FastifyRequest): z.output<typeof draftBody> {
  if (typeof request.body !== 'string') {
    return parseInput(draftBody, request.body);
  }
  const match = /^\s*(?:W\/)?"?([0-9a-f]{64})"?\s*$/.exec(
    request.headers['if-match'] ?? '',
  );
  if (request.headers['if-match'] !== undefined && !match) {
    throw new BridgelineError('BL_ERR_INVALID_INPUT', {
      field: 'If-Match',
      message: 'If-Match holds the ETag of the draft you started from.',
    });
  }
  return parseInput(draftBody, {
    source: request.body,
    ...(match?.[1] === undefined ? {} : { expectedChecksum: match[1] }),
  });
}
