import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../context/validate';
import { BridgelineError } from '../errors';
import { flowIdPattern } from '../ivr/flow';
import type { FlowStore } from '../ivr/flow-store';
import { defaultAlias, defaultFlowId } from '../ivr/flow-routing';

/**
 * The number map: which flow (and which alias of it, `live` unless said
 * otherwise) answers each dialled number. Numbers are written in E.164 in
 * the path, e.g. /api/admin/numbers/+14155550100; a number without an
 * entry gets the flow "main".
 */

type WithNumber = { Params: { number: string } };

const routeBody = z.strictObject({
  flowId: z
    .string()
    .regex(flowIdPattern, 'a flow id: lower-case words joined by -'),
  alias: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, 'an alias, e.g. live')
    .optional(),
});

export function numberRoutes(
  app: FastifyInstance,
  { flowStore }: { flowStore: FlowStore },
): void {
  const { router } = flowStore;

  app.get('/numbers', async () => ({
    numbers: await router.numbers(),
    unmapped: { flowId: defaultFlowId, alias: defaultAlias },
  }));

  app.get<WithNumber>('/numbers/:number', async (request) => {
    const route = await router.numberRoute(request.params.number);
    if (!route) {
      throw new BridgelineError('BL_ERR_NUMBER_NOT_MAPPED', {
        field: 'number',
      });
    }
    return route;
  });

  app.put<WithNumber>('/numbers/:number', async (request) => {
    const target = parseInput(routeBody, request.body);
    return flowStore.mapNumber(request.params.number, target);
  });

  app.delete<WithNumber>('/numbers/:number', async (request, reply) => {
    await router.unmapNumber(request.params.number);
    return reply.status(204).send();
  });
}
