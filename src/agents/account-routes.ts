import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BridgelineError } from '../errors';
import { principalOf } from '../http/principal';
import type { AccountStore } from './accounts';

type WithId = { Params: { id: string } };

/**
 * The admin API for accounts, under /api/admin (admins only, by the /api
 * access policy). Thin: each handler names its input and calls the store.
 */
export function accountRoutes(
  api: FastifyInstance,
  { accounts }: { accounts: AccountStore },
) {
  api.get('/admin/accounts', async () => ({
    accounts: await accounts.list(),
  }));

  api.post('/admin/accounts', async (request, reply) => {
    const account = await accounts.create(request.body);
    request.log.info({ accountId: account.id }, 'account created');
    return reply.status(201).send(account);
  });

  api.get<WithId>('/admin/accounts/:id', async (request) =>
    accounts.get(request.params.id),
  );

  api.patch<WithId>('/admin/accounts/:id', async (request) => {
    const { id } = request.params;
    const body: unknown = request.body;
    const demotes =
      typeof body === 'object' &&
      body !== null &&
      (('role' in body && body.role !== 'admin') ||
        ('disabled' in body && body.disabled === true));
    if (demotes) {
      refuseSelf(request, id);
    }
    const account = await accounts.update(id, body);
    request.log.info({ accountId: id }, 'account changed');
    return account;
  });

  api.delete<WithId>('/admin/accounts/:id', async (request, reply) => {
    refuseSelf(request, request.params.id);
    await accounts.delete(request.params.id);
    request.log.info({ accountId: request.params.id }, 'account deleted');
    return reply.status(204).send();
  });

  api.put<WithId>('/admin/accounts/:id/password', async (request, reply) => {
    await accounts.setPassword(request.params.id, request.body);
    request.log.info({ accountId: request.params.id }, 'password changed');
    return reply.status(204).send();
  });
}

/**
 * No admin can lock themselves out: demoting, disabling or deleting an
 * account is for another admin or ADMIN_TOKEN, which always works. So an
 * admin account can leave only by someone else's hand.
 */
function refuseSelf(request: FastifyRequest, id: string) {
  const principal = principalOf(request);
  if (principal.kind === 'account' && principal.accountId === id) {
    throw new BridgelineError('BL_ERR_FORBIDDEN', {
      message:
        'An admin cannot demote, disable or delete their own account; ' +
        'ask another admin, or use ADMIN_TOKEN.',
    });
  }
}
