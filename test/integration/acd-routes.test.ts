import Fastify, { type FastifyInstance } from 'fastify';
import { acdRoutes } from '../../src/agents/acd-routes';
import { registerErrorHandling } from '../../src/http/errors';
import {
  aContact,
  acdOnOwnRedis,
  anAgentId,
  asAccount,
  headerGuards,
} from '../support/acd';

/**
 * The ACD routes on a real socket. Who is asking comes from a test
 * header through headerGuards (test/support/acd.ts), standing in for the
 * session guards the app passes in.
 */
const bed = acdOnOwnRedis();
let app: FastifyInstance;
let base: string;

beforeEach(async () => {
  app = Fastify({ logger: false });
  registerErrorHandling(app);
  await app.register(
    (api, _options, done) => {
      acdRoutes(api, bed.acd, headerGuards);
      done();
    },
    { prefix: '/api' },
  );
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterEach(() => app.close());

async function call(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : {};
  return {
    status: response.status,
    body: typeof parsed === 'object' && parsed !== null ? { ...parsed } : {},
  };
}

async function anAvailableAgent(): Promise<string> {
  const id = anAgentId();
  await bed.acd.upsertAgent({ id, queues: ['support'] });
  const put = await call(
    'PUT',
    '/api/agents/me/state',
    asAccount(id, 'agent'),
    {
      state: 'available',
    },
  );
  expect(put.status).toBe(200);
  return id;
}

describe('acd routes', () => {
  describe('when an agent works their contacts', () => {
    it('shows the offer, accepts it and finishes with a wrap-up', async () => {
      const agent = await anAvailableAgent();
      const me = asAccount(agent, 'agent');
      const contact = aContact({ kind: 'chat' });
      await bed.acd.enqueue(contact);

      const offered = await call('GET', '/api/agents/me', me);
      expect(offered.body).toMatchObject({
        id: agent,
        state: 'available',
        offers: [{ agentId: agent, contact: { id: contact.id } }],
      });
      const offerId = bed.hooks.offers[0]?.offerId ?? '';

      const accepted = await call(
        'POST',
        `/api/agents/me/offers/${offerId}/accept`,
        me,
      );
      expect(accepted).toMatchObject({
        status: 200,
        body: { contact: { id: contact.id } },
      });

      const finished = await call(
        'POST',
        `/api/agents/me/contacts/${contact.id}/finish`,
        me,
        { wrapUpSeconds: 20 },
      );
      expect(finished).toMatchObject({
        status: 200,
        body: { state: 'wrap-up', chats: 0, contacts: [] },
      });
    });

    it('answers a decline with 204 and moves the offer on', async () => {
      const [first, second] = [
        await anAvailableAgent(),
        await anAvailableAgent(),
      ];
      await bed.acd.enqueue(aContact());
      const offerId = bed.hooks.offers[0]?.offerId ?? '';

      const declined = await call(
        'POST',
        `/api/agents/me/offers/${offerId}/decline`,
        asAccount(first, 'agent'),
      );

      expect(declined.status).toBe(204);
      expect(bed.hooks.offers[1]?.agentId).toBe(second);
    });

    it("answers 404 for another agent's offer and contact", async () => {
      const [owner, other] = [
        await anAvailableAgent(),
        await anAvailableAgent(),
      ];
      const contact = aContact({ customerId: 'c7' });
      await bed.acd.enqueue(contact);
      const offerId = bed.hooks.offers[0]?.offerId ?? '';
      const intruder = asAccount(other, 'agent');

      for (const action of ['accept', 'decline']) {
        const answer = await call(
          'POST',
          `/api/agents/me/offers/${offerId}/${action}`,
          intruder,
        );
        expect(answer).toMatchObject({
          status: 404,
          body: { code: 'BL_ERR_OFFER_NOT_FOUND' },
        });
        expect(JSON.stringify(answer.body)).not.toContain('c7');
      }
      await call(
        'POST',
        `/api/agents/me/offers/${offerId}/accept`,
        asAccount(owner, 'agent'),
      );
      const finish = await call(
        'POST',
        `/api/agents/me/contacts/${contact.id}/finish`,
        intruder,
      );
      expect(finish.status).toBe(404);
    });

    it('answers 409 to going away while on a call', async () => {
      const agent = await anAvailableAgent();
      await bed.acd.enqueue(aContact());
      await bed.acd.accept(agent, bed.hooks.offers[0]?.offerId ?? '');

      const answer = await call(
        'PUT',
        '/api/agents/me/state',
        asAccount(agent, 'agent'),
        { state: 'away' },
      );

      expect(answer).toMatchObject({
        status: 409,
        body: { code: 'BL_ERR_AGENT_STATE' },
      });
    });
  });

  describe('when the input is malformed', () => {
    it('answers 400 naming the field', async () => {
      const agent = await anAvailableAgent();
      const me = asAccount(agent, 'agent');
      const admin = asAccount('root', 'admin');

      const cases: [string, string, Record<string, string>, unknown, string][] =
        [
          ['PUT', '/api/agents/me/state', me, { state: 'on-contact' }, 'state'],
          [
            'PUT',
            '/api/agents/me/state',
            me,
            { state: 'away', mood: 1 },
            'mood',
          ],
          [
            'POST',
            '/api/agents/me/contacts/x/finish',
            me,
            { wrapUpSeconds: -1 },
            'wrapUpSeconds',
          ],
          [
            'PUT',
            '/api/admin/queues/sales',
            admin,
            { name: 'Sales', offerTimeoutSeconds: 0 },
            'offerTimeoutSeconds',
          ],
          [
            'PUT',
            '/api/admin/queues/sales',
            admin,
            { name: 'Sales', skills: ['No Spaces'] },
            'skills.0',
          ],
          ['PUT', '/api/admin/queues/Bad%20Id', admin, { name: 'Sales' }, 'id'],
        ];
      for (const [method, path, headers, body, field] of cases) {
        const answer = await call(method, path, headers, body);
        expect({ path, ...answer }).toMatchObject({
          path,
          status: 400,
          body: { code: 'BL_ERR_INVALID_INPUT', field },
        });
      }
    });
  });

  describe('when roles differ', () => {
    it('gives queue statistics to supervisors and not to agents', async () => {
      await bed.acd.enqueue(aContact());

      const agent = await call(
        'GET',
        '/api/queues/stats',
        asAccount('a1', 'agent'),
      );
      const supervisor = await call(
        'GET',
        '/api/queues/stats',
        asAccount('s1', 'supervisor'),
      );
      const one = await call(
        'GET',
        '/api/queues/support/stats',
        asAccount('s1', 'supervisor'),
      );
      const none = await call(
        'GET',
        '/api/queues/nowhere/stats',
        asAccount('s1', 'supervisor'),
      );

      expect(agent).toMatchObject({
        status: 403,
        body: { code: 'BL_ERR_FORBIDDEN' },
      });
      expect(supervisor).toMatchObject({
        status: 200,
        body: { queues: [{ queue: 'support', waiting: 1 }] },
      });
      expect(one).toMatchObject({
        status: 200,
        body: { queue: 'support', waiting: 1 },
      });
      expect(none).toMatchObject({
        status: 404,
        body: { code: 'BL_ERR_QUEUE_NOT_FOUND' },
      });
    });

    it('lets only admins define and remove queues', async () => {
      const admin = asAccount('root', 'admin');
      const supervisor = asAccount('s1', 'supervisor');
      const sales = {
        name: 'Sales',
        skills: ['sales'],
        serviceLevelSeconds: 30,
      };

      expect(
        (await call('PUT', '/api/admin/queues/sales', supervisor, sales))
          .status,
      ).toBe(403);
      const defined = await call(
        'PUT',
        '/api/admin/queues/sales',
        admin,
        sales,
      );
      expect(defined).toMatchObject({
        status: 200,
        body: { id: 'sales', ...sales, offerTimeoutSeconds: 15, priority: 5 },
      });
      const listed = await call('GET', '/api/admin/queues', admin);
      expect(listed.body).toMatchObject({
        queues: [{ id: 'sales' }, { id: 'support' }],
      });

      expect(
        (await call('DELETE', '/api/admin/queues/sales', admin)).status,
      ).toBe(204);
      expect(
        await call('DELETE', '/api/admin/queues/sales', admin),
      ).toMatchObject({
        status: 404,
        body: { code: 'BL_ERR_QUEUE_NOT_FOUND' },
      });
    });

    it('refuses the agent routes to the admin token and to nobody', async () => {
      const bootstrap = await call('GET', '/api/agents/me', {
        'x-test-principal': 'bootstrap',
      });
      const nobody = await call('GET', '/api/agents/me', {});
      const unknown = await call(
        'GET',
        '/api/agents/me',
        asAccount('new', 'agent'),
      );

      expect(bootstrap.status).toBe(403);
      expect(nobody).toMatchObject({
        status: 401,
        body: { code: 'BL_ERR_UNAUTHORIZED' },
      });
      expect(unknown).toMatchObject({
        status: 404,
        body: { code: 'BL_ERR_ACCOUNT_NOT_FOUND' },
      });
    });
  });
});
