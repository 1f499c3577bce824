import type { FastifyInstance } from 'fastify';
import { BridgelineError } from '../../errors';
import type { ContextStore } from '../../context/store';
import type { Metrics } from '../../metrics';
import { identityKinds, type IdentityKind } from '../../context/keys';

interface CustomerRouteOptions {
  store: ContextStore;
  metrics: Metrics;
}

type WithCustomer = { Params: { id: string } };
type WithConversation = { Params: { id: string; conversationId: string } };
type WithIdentity = { Params: { id: string; kind: string; value: string } };

const lookupKeys = ['phone', 'email', 'chat', 'customerId'] as const;

/**
 * The context API: thin handlers that name the input and call the store.
 * Mounted under /api behind the admin token.
 */
export function customerRoutes(
  app: FastifyInstance,
  { store, metrics }: CustomerRouteOptions,
) {
  app.get<{ Querystring: Record<string, string | string[]> }>(
    '/context',
    async (request, reply) => {
      const given = lookupKeys.filter((key) => key in request.query);
      const [by] = given;
      const raw = by === undefined ? undefined : request.query[by];
      if (by === undefined || given.length > 1 || typeof raw !== 'string') {
        throw new BridgelineError('BL_ERR_INVALID_INPUT', {
          field: given.length === 1 ? String(by) : 'query',
          message: `Give exactly one of ${lookupKeys.join(', ')}, once.`,
        });
      }
      const started = performance.now();
      // The card is JSON already (see card-lua.ts): it goes out as it is.
      const card =
        by === 'customerId'
          ? await store.cardJsonById(raw)
          : await store.cardJsonByIdentity(store.normalizeIdentity(by, raw));
      metrics.cardLookup
        .labels(by, card ? 'yes' : 'no')
        .observe((performance.now() - started) / 1000);
      if (card === undefined) {
        throw new BridgelineError('BL_ERR_CUSTOMER_NOT_FOUND', { field: by });
      }
      return reply.type('application/json').send(card);
    },
  );

  app.post('/customers', async (request, reply) => {
    const { customer, created } = await store.upsertCustomer(request.body);
    return reply.status(created ? 201 : 200).send(customer);
  });

  app.post<WithCustomer>('/customers/:id/events', async (request, reply) => {
    const entry = await store.appendEvent(request.params.id, request.body);
    return reply.status(201).send(entry);
  });

  app.post<WithCustomer>(
    '/customers/:id/conversations',
    async (request, reply) => {
      const conversation = await store.openConversation(
        request.params.id,
        request.body,
      );
      return reply.status(201).send(conversation);
    },
  );

  app.patch<WithConversation>(
    '/customers/:id/conversations/:conversationId',
    async (request) =>
      store.updateConversation(
        request.params.id,
        request.params.conversationId,
        request.body,
      ),
  );

  app.delete<WithIdentity>(
    '/customers/:id/identities/:kind/:value',
    async (request, reply) => {
      const { id, kind, value } = request.params;
      if (!identityKinds.includes(kind as IdentityKind)) {
        throw new BridgelineError('BL_ERR_INVALID_INPUT', {
          field: 'kind',
          message: `kind is one of ${identityKinds.join(', ')}.`,
        });
      }
      await store.requireCustomer(id);
      const ref = store.normalizeIdentity(kind as IdentityKind, value, 'value');
      await store.unlinkIdentity(id, ref);
      return reply.status(204).send();
    },
  );

  app.delete<WithCustomer>('/customers/:id', async (request) => {
    const receipt = await store.erase(request.params.id);
    request.log.info(
      {
        customerId: receipt.customerId,
        keys: receipt.keys.length,
        timelineEvents: receipt.timelineEvents,
      },
      'customer erased',
    );
    return receipt;
  });
}
