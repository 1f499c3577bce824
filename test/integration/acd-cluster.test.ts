import type { Cluster } from 'ioredis';
import { Acd } from '../../src/agents/acd';
import { sipKeys } from '../../src/voice/sip/keys';
import {
  aContact,
  anAgentId,
  ManualClock,
  RecordingHooks,
} from '../support/acd';
import {
  allKeys,
  silentLogger,
  connectToCluster,
  startTestCluster,
  type TestRedis,
} from '../support/redis';

/**
 * A one-node Redis Cluster holding every slot: the scripts go by their
 * KEYS[1] and a MULTI over two slots fails here as in production. Redis
 * does not refuse a script's undeclared keys on a node that owns every
 * slot, so the test also proves that every key written carries {acd}
 * (or is the SIP edge's presence key, written outside the scripts).
 */
let node: TestRedis;
let cluster: Cluster;

beforeAll(async () => {
  node = await startTestCluster();
  cluster = await connectToCluster(node);
});

afterAll(async () => {
  await cluster.quit();
  await node.stop();
});

describe('the acd on Redis Cluster', () => {
  it('routes, times out, answers and counts in one slot', async () => {
    const clock = new ManualClock();
    const hooks = new RecordingHooks();
    const acd = new Acd({ redis: cluster, logger: silentLogger, clock, hooks });
    await acd.defineQueue('support', {
      name: 'Support',
      offerTimeoutSeconds: 5,
    });
    const [first, second] = [anAgentId(), anAgentId()];
    for (const id of [first, second]) {
      await acd.upsertAgent({ id, queues: ['support'] });
      await acd.setState(id, 'available');
      clock.advance(1);
    }
    const contact = aContact({ customerId: 'c1' });

    await acd.enqueue(contact);
    clock.advance(5);
    await acd.sweep();
    const contactOf = await acd.accept(second, hooks.offers[1]?.offerId ?? '');
    await acd.finish(second, contactOf.id, 10);
    clock.advance(10);
    await acd.sweep();

    expect(hooks.offers.map((offer) => offer.agentId)).toEqual([first, second]);
    expect(await cluster.hget(sipKeys.presence(first), 'state')).toBe('away');
    expect(await cluster.hget(sipKeys.presence(second), 'state')).toBe(
      'available',
    );
    expect(await acd.stats('support')).toMatchObject({
      answered: 1,
      serviceLevel: 1,
    });
    const strays = (await allKeys(node.client)).filter(
      (key) => !key.startsWith('{acd}:') && !/^agent:\{[^}]+\}$/.test(key),
    );
    expect(strays).toEqual([]);
    await acd.removeQueue('support');
    await acd.close();
  });
});
