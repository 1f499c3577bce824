import Fastify, { type FastifyInstance } from 'fastify';
import { acdRoutes } from '../../src/agents/acd-routes';
import { registerErrorHandling } from '../../src/http/errors';
import {
  aContact,
  acdOnOwnRedis,
  anAgentId,
  asAccount,
  availableAgents,
  headerGuards,
} from '../support/acd';

/**
 * GET /api/agents: every agent the ACD knows, with their live state, for
 * supervisors. Who is asking comes from headerGuards (test/support/acd.ts).
 */
const bed = acdOnOwnRedis();
let app: FastifyInstance;
let base: string;

beforeEach(async () => {
  app = Fastify({ logger: false });
  registerErrorHandling(app);
  await app.register(
    (api, _options, done) => {
      acdRoutes(api, bed.acd, headerGuards, bed.redis.client);
      done();
    },
    { prefix: '/api' },
  );
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterEach(() => app.close());

async function listAgents(headers: Record<string, string>) {
  const response = await fetch(`${base}/api/agents`, { headers });
  return { status: response.status, body: await response.json() };
}

describe('the list of agents', () => {
  describe('when a supervisor asks', () => {
    it('lists every agent with state, reason, since, chats and voice', async () => {
      const [first, second] = [anAgentId(), anAgentId()];
      await availableAgents(bed.acd, bed.clock, [first]);
      await bed.acd.upsertAgent({ id: second, skills: ['fr'], maxChats: 2 });
      await bed.acd.setState(second, 'away', 'lunch');
      await bed.acd.enqueue(aContact({ kind: 'voice' }));

      const reply = await listAgents(asAccount(anAgentId(), 'supervisor'));

      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        agents: [
          expect.objectContaining({
            id: first,
            state: 'available',
            reason: '',
            queues: ['support'],
            chats: 0,
            onVoice: false,
          }),
          {
            id: second,
            state: 'away',
            reason: 'lunch',
            since: bed.clock.now(),
            skills: ['fr'],
            queues: [],
            maxChats: 2,
            chats: 0,
            onVoice: false,
          },
        ],
      });
    });

    it('answers an empty list when the ACD knows no agent', async () => {
      const reply = await listAgents(asAccount(anAgentId(), 'admin'));

      expect(reply).toEqual({ status: 200, body: { agents: [] } });
    });

    it('leaves out an agent the ACD was told to forget', async () => {
      const [kept, removed] = [anAgentId(), anAgentId()];
      await availableAgents(bed.acd, bed.clock, [kept, removed]);
      await bed.acd.removeAgent(removed);

      const reply = await listAgents(asAccount(anAgentId(), 'supervisor'));

      expect(reply.body).toEqual({
        agents: [expect.objectContaining({ id: kept })],
      });
    });
  });

  describe('when an agent asks', () => {
    it('refuses with 403, as other agents are not theirs to see', async () => {
      const agent = anAgentId();
      await availableAgents(bed.acd, bed.clock, [agent]);

      const reply = await listAgents(asAccount(agent, 'agent'));

      expect(reply.status).toBe(403);
      expect(reply.body).toMatchObject({ code: 'BL_ERR_FORBIDDEN' });
    });
  });
});
