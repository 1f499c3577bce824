import type {
  FastifyInstance,
  FastifyRequest,
  preHandlerAsyncHookHandler,
} from 'fastify';
import { z } from 'zod';
import { parseInput } from '../context/validate';
import { BridgelineError } from '../errors';
import type { RedisClient } from '../redis/connect';
import type { Acd } from './acd';
import { allAgents } from './acd/agent-view';
import { queueInput } from './acd/queues';
import type { Principal, Role } from './types';

/**
 * The ACD over HTTP, mounted in the /api scope: an agent's own state,
 * offers and contacts; queue statistics and every agent's state for
 * supervisors; queue definitions for admins. Handlers only read input and
 * call the Acd.
 */

/** Who is asking, as the sessions layer resolves it. */
export interface AcdGuards {
  /** A preHandler: 403 BL_ERR_FORBIDDEN below `role`. */
  requireRole(role: Role): preHandlerAsyncHookHandler;
  /** The request's principal; throws 401 when there is none. */
  principalOf(request: FastifyRequest): Principal;
}

type WithOffer = { Params: { offerId: string } };
type WithContact = { Params: { contactId: string } };
type WithQueue = { Params: { id: string } };

const stateBody = z.strictObject({
  // on-contact and wrap-up follow from contacts; an agent cannot pick them.
  state: z.enum(['available', 'away', 'offline']),
  reason: z
    .string()
    .trim()
    .max(64)
    .regex(/^[\p{L}\p{N} ._-]*$/u, 'a short reason, e.g. lunch')
    .optional(),
});

const finishBody = z.strictObject({
  wrapUpSeconds: z.number().int().min(0).max(3600).optional(),
});

/** The agent's account id; the admin token is nobody's desktop. */
function agentOf(guards: AcdGuards, request: FastifyRequest): string {
  const principal = guards.principalOf(request);
  if (principal.kind !== 'account') {
    throw new BridgelineError('BL_ERR_FORBIDDEN', {
      message: 'The admin token has no agent state; log in as an agent.',
    });
  }
  return principal.accountId;
}

export function acdRoutes(
  api: FastifyInstance,
  acd: Acd,
  guards: AcdGuards,
  /** The ACD's Redis: given, GET /api/agents lists every agent's state. */
  redis?: RedisClient,
): void {
  const agent = { preHandler: guards.requireRole('agent') };
  const supervisor = { preHandler: guards.requireRole('supervisor') };
  const admin = { preHandler: guards.requireRole('admin') };

  api.get('/agents/me', agent, async (request) =>
    acd.agent(agentOf(guards, request)),
  );

  api.put('/agents/me/state', agent, async (request) => {
    const id = agentOf(guards, request);
    const body = parseInput(stateBody, request.body);
    await acd.setState(id, body.state, body.reason);
    return acd.agent(id);
  });

  // Another agent's offer or contact is "not found", never "forbidden":
  // the answer must not tell an agent that it exists.
  api.post<WithOffer>(
    '/agents/me/offers/:offerId/accept',
    agent,
    async (request) => ({
      contact: await acd.accept(
        agentOf(guards, request),
        request.params.offerId,
      ),
    }),
  );

  api.post<WithOffer>(
    '/agents/me/offers/:offerId/decline',
    agent,
    async (request, reply) => {
      await acd.decline(agentOf(guards, request), request.params.offerId);
      return reply.status(204).send();
    },
  );

  api.post<WithContact>(
    '/agents/me/contacts/:contactId/finish',
    agent,
    async (request) => {
      const id = agentOf(guards, request);
      const body = parseInput(finishBody, request.body ?? {});
      await acd.finish(id, request.params.contactId, body.wrapUpSeconds);
      return acd.agent(id);
    },
  );

  if (redis !== undefined) {
    // The policy lets agents under /api/agents; this list is for
    // supervisors, so the route asks for more itself.
    api.get('/agents', supervisor, async () => ({
      agents: await allAgents(redis),
    }));
  }

  api.get('/queues/stats', supervisor, async () => ({
    queues: await acd.allStats(),
  }));

  api.get<WithQueue>('/queues/:id/stats', supervisor, async (request) =>
    acd.stats(request.params.id),
  );

  api.get('/admin/queues', admin, async () => ({
    queues: await acd.listQueues(),
  }));

  api.put<WithQueue>('/admin/queues/:id', admin, async (request) =>
    acd.defineQueue(request.params.id, parseInput(queueInput, request.body)),
  );

  api.delete<WithQueue>('/admin/queues/:id', admin, async (request, reply) => {
    await acd.removeQueue(request.params.id);
    return reply.status(204).send();
  });
}
