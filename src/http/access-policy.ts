import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isAssigned } from '../agents/assignments';
import { roleAtLeast, type Role } from '../agents/types';
import { identityKinds, keys } from '../context/keys';
import type { ContextStore } from '../context/store';
import { BridgelineError } from '../errors';
import type { RedisClient } from '../redis/connect';
import { principalOf } from './principal';

/**
 * Who may call what under /api, by role, decided before any handler runs
 * so a route added without a thought for access is closed, not open:
 * anything not named here needs a supervisor. Routes opened to agents
 * check their own objects (an agent's offers, an agent's desktop).
 */
export function neededRole(method: string, url: string | undefined): Role {
  const path = url ?? '';
  if (under(path, '/api/admin')) {
    return 'admin';
  }
  if (method === 'DELETE' && path === '/api/customers/:id') {
    // Erasure cannot be undone.
    return 'admin';
  }
  if (
    under(path, '/api/auth') ||
    under(path, '/api/agents') ||
    under(path, '/api/desktop')
  ) {
    return 'agent';
  }
  return 'supervisor';
}

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

export interface AccessOptions {
  store: ContextStore;
  redis: RedisClient;
  /** Routes (method and full URL) that need no principal. */
  open: { method: string; url: string }[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The customer an agent was let see on GET /api/context. */
    allowedCustomer: string | undefined;
  }
}

const contextUrl = '/api/context';

/**
 * What an agent does with a customer routing gave them: reply on the
 * conversation's channel from the desktop's composer, and read the chat
 * so far. Each names the customer in a path parameter.
 */
const agentCustomerRoutes: { method: string; url: string; param: string }[] = [
  {
    method: 'POST',
    url: '/api/chats/:customerId/:conversationId/messages',
    param: 'customerId',
  },
  {
    method: 'GET',
    url: '/api/chats/:customerId/:conversationId/messages',
    param: 'customerId',
  },
  {
    method: 'POST',
    url: '/api/customers/:id/conversations/:conversationId/sms',
    param: 'id',
  },
  {
    method: 'POST',
    url: '/api/customers/:id/conversations/:conversationId/email',
    param: 'id',
  },
];

const pathParams = z.record(z.string(), z.string());

/**
 * The /api scope's second onRequest hook, after the principal's: 403
 * BL_ERR_FORBIDDEN for a role below the route's. The exceptions: an agent
 * may read the context card of a customer the routing core has offered or
 * given them, and reply to them (agentCustomerRoutes), and do neither for
 * anyone else (an unknown customer is a 403 too, so an agent cannot probe
 * who is a customer).
 */
export function accessHook(options: AccessOptions) {
  return async (request: FastifyRequest): Promise<void> => {
    const url = request.routeOptions.url;
    const open = options.open.some(
      (route) => route.method === request.method && route.url === url,
    );
    if (open) {
      return;
    }
    const principal = principalOf(request);
    if (roleAtLeast(principal.role, neededRole(request.method, url))) {
      return;
    }
    if (
      principal.kind === 'account' &&
      request.method === 'GET' &&
      url === contextUrl
    ) {
      const customerId = await customerAsked(request, options);
      if (
        customerId !== undefined &&
        (await isAssigned(options.redis, principal.accountId, customerId))
      ) {
        request.allowedCustomer = customerId;
        return;
      }
    }
    const agentRoute = agentCustomerRoutes.find(
      (route) => route.method === request.method && route.url === url,
    );
    if (principal.kind === 'account' && agentRoute) {
      const params = pathParams.safeParse(request.params);
      const customerId = params.success
        ? params.data[agentRoute.param]
        : undefined;
      if (
        customerId !== undefined &&
        (await isAssigned(options.redis, principal.accountId, customerId))
      ) {
        return;
      }
    }
    throw new BridgelineError('BL_ERR_FORBIDDEN');
  };
}

// Repeated keys (arrays) are the route's 400; here they name no one.
const lookupQuery = z.record(z.string(), z.string());

/** The customer a context lookup names, as the route will resolve it. */
async function customerAsked(
  request: FastifyRequest,
  { store, redis }: AccessOptions,
): Promise<string | undefined> {
  const query = lookupQuery.safeParse(request.query);
  if (!query.success) {
    return undefined;
  }
  const asked = Object.entries(query.data).filter(
    ([key]) => key === 'customerId' || identityKinds.some((k) => k === key),
  );
  const [first] = asked;
  if (asked.length !== 1 || first === undefined) {
    return undefined;
  }
  const [by, value] = first;
  if (by === 'customerId') {
    return value;
  }
  const kind = identityKinds.find((k) => k === by);
  if (kind === undefined) {
    return undefined;
  }
  const ref = store.normalizeIdentity(kind, value);
  return (await redis.get(keys.identity(ref.kind, ref.value))) ?? undefined;
}

const shownCustomer = z.object({ customer: z.object({ id: z.string() }) });

/**
 * An onSend check that the card an agent was let see is the customer that
 * was checked: an identity moved to another customer between the check
 * and the read must not show that customer's card.
 */
export function cardIsAllowed(
  request: FastifyRequest,
  statusCode: number,
  payload: unknown,
): boolean {
  const allowed = request.allowedCustomer;
  if (allowed === undefined || statusCode !== 200) {
    // Not an agent's card read, or an error body (400, 404): no card.
    return true;
  }
  try {
    const card = shownCustomer.safeParse(
      typeof payload === 'string' ? JSON.parse(payload) : undefined,
    );
    return card.success && card.data.customer.id === allowed;
  } catch {
    return false;
  }
}
