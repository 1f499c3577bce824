import type { Cluster } from 'ioredis';
import { keys } from '../../src/context/keys';
import { ContextStore } from '../../src/context/store';
import { aCustomer, storeOptions } from '../support/factories';
import {
  connectToCluster,
  startTestCluster,
  type TestRedis,
} from '../support/redis';

/**
 * A one-node Redis Cluster holding all 16384 slots: small, but a real
 * cluster, so a command that spans two slots fails here as in production.
 */
let node: TestRedis;
let cluster: Cluster;
let store: ContextStore;

beforeAll(async () => {
  node = await startTestCluster();
  cluster = await connectToCluster(node);
  store = new ContextStore(cluster, storeOptions);
});

afterAll(async () => {
  await cluster.quit();
  await node.stop();
});

describe('on Redis Cluster', () => {
  it('keeps all of a customer in one slot and serves the card', async () => {
    const { customer, phone } = await aCustomer(store);
    const conversation = await store.openConversation(customer.id, {
      subject: 'Porting my number',
      channel: 'sms',
    });
    await store.appendEvent(customer.id, {
      type: 'sms.message',
      direction: 'inbound',
      text: 'When does my number move?',
      conversationId: conversation.id,
    });

    const own = [
      keys.customer(customer.id),
      keys.identities(customer.id),
      keys.timeline(customer.id),
      keys.conversations(customer.id),
      keys.conversation(customer.id, conversation.id),
    ];
    const slots = await Promise.all(
      own.map((key) => cluster.call('CLUSTER', 'KEYSLOT', key)),
    );
    expect(new Set(slots).size).toBe(1);
    expect(await cluster.exists(...own)).toBe(own.length);

    const card = await store.cardByIdentity({ kind: 'phone', value: phone });
    expect(card?.timeline[0]).toMatchObject({ type: 'sms.message' });
    expect(card?.conversations.open[0]?.channels).toEqual(['sms']);
  });

  it('erases a customer without a cross-slot error', async () => {
    const { customer, phone } = await aCustomer(store);
    await store.appendEvent(customer.id, {
      type: 'agent.note',
      agentId: 'a1',
      text: 'Prefers mornings',
    });

    const receipt = await store.erase(customer.id);

    expect(receipt.keys).toContain(`identity:phone:${phone}`);
    expect(await store.cardById(customer.id)).toBeUndefined();
  });

  it('sweeps retention across the cluster', async () => {
    await aCustomer(store);
    const report = await store.sweepRetention();
    expect(report.timelines).toBeGreaterThan(0);
  });
});
