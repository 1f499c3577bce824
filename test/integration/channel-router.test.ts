import { pino } from 'pino';
import type { AcdHooks } from '../../src/agents/acd';
import type { ArrivalListener } from '../../src/channels/arrivals';
import {
  contactIdOf,
  setUpChannelRouting,
  type ChannelRouter,
} from '../../src/channels/routing';
import { ContextStore } from '../../src/context/store';
import type { Logger } from '../../src/log';
import { acdOnOwnRedis, availableAgents } from '../support/acd';
import { aCustomer, storeOptions } from '../support/factories';
import { silentLogger } from '../support/redis';

/**
 * The channel router on a real ACD and store: which contact a message
 * queues, when it queues another, and whom it prefers. The whole app's
 * flow (chat, SMS and email in, the desktop out) is in
 * digital-routing.test.ts.
 */

const bed = acdOnOwnRedis();
const queues = { chat: 'support', sms: 'support', email: 'texts' };

function aRouter(logger: Logger = silentLogger) {
  const store = new ContextStore(bed.redis.client, storeOptions);
  const listeners: ArrivalListener[] = [];
  const hooks: Partial<AcdHooks>[] = [];
  const router: ChannelRouter = setUpChannelRouting({
    channels: { onArrival: (listener) => listeners.push(listener) },
    acd: bed.acd,
    addHooks: (more) => hooks.push(more),
    store,
    queues,
    logger,
  });
  return { store, router, listeners, hooks };
}

async function aConversation(store: ContextStore, agentId?: string) {
  const { customer } = await aCustomer(store);
  const conversation = await store.openConversation(customer.id, {
    subject: 'Late parcel',
    channel: 'chat',
    ...(agentId === undefined ? {} : { agentId }),
  });
  return { customerId: customer.id, conversationId: conversation.id };
}

describe('the channel router', () => {
  it('queues one contact when two messages of a conversation race', async () => {
    const { store, listeners } = aRouter();
    const target = await aConversation(store);
    const arrival = { channel: 'chat' as const, ...target };

    await Promise.all(
      listeners.flatMap((listen) => [listen(arrival), listen(arrival)]),
    );

    const stats = await bed.acd.stats('support');
    expect(stats.offered).toBe(1);
    expect(stats.waiting).toBe(1);
    expect(
      await bed.acd.position(contactIdOf('chat', target.conversationId, 0)),
    ).toBeDefined();
  });

  it('queues the next generation once the contact is finished', async () => {
    const { store, router } = aRouter();
    await availableAgents(bed.acd, bed.clock, ['agent-a']);
    const target = await aConversation(store);
    await router.route({ channel: 'chat', ...target });
    const [offer] = bed.hooks.offersTo('agent-a');
    if (!offer) {
      throw new Error('the chat was not offered');
    }
    await bed.acd.accept('agent-a', offer.offerId);
    await router.route({ channel: 'chat', ...target });
    expect(bed.hooks.offers).toHaveLength(1);

    await bed.acd.finish('agent-a', offer.contact.id);
    await router.route({ channel: 'chat', ...target });
    const again = bed.hooks.offers[1];
    expect(again?.contact.id).toBe(
      contactIdOf('chat', target.conversationId, 1),
    );
  });

  it("prefers the conversation's agent, then the one on the customer's latest open conversation", async () => {
    const { store, router } = aRouter();
    const target = await aConversation(store, 'agent-b');
    await availableAgents(bed.acd, bed.clock, ['agent-a', 'agent-b']);
    await router.route({ channel: 'chat', ...target });
    expect(bed.hooks.offers[0]).toMatchObject({
      agentId: 'agent-b',
      reason: 'preferred-agent',
    });

    const next = await store.openConversation(target.customerId, {
      subject: 'Another order',
      channel: 'sms',
    });
    await router.route({
      channel: 'sms',
      customerId: target.customerId,
      conversationId: next.id,
    });
    expect(bed.hooks.offers[1]?.contact.preferredAgentId).toBe('agent-b');
  });

  it('gives the conversation the agent who accepts, and ignores calls', async () => {
    const { store, router, hooks } = aRouter();
    await availableAgents(bed.acd, bed.clock, ['agent-a']);
    const target = await aConversation(store);
    await router.route({ channel: 'chat', ...target });
    const [offer] = bed.hooks.offers;
    if (!offer) {
      throw new Error('the chat was not offered');
    }
    for (const hook of hooks) {
      await hook.onOfferGone?.(
        { ...offer, contact: { ...offer.contact, kind: 'voice' } },
        'accepted',
      );
    }
    let card = await store.cardById(target.customerId);
    expect(card?.conversations.open[0]?.agentId).toBeUndefined();

    for (const hook of hooks) {
      await hook.onOfferGone?.(offer, 'accepted');
    }
    card = await store.cardById(target.customerId);
    expect(card?.conversations.open[0]?.agentId).toBe('agent-a');
  });

  it('stores a message without queueing it while its queue is not defined', async () => {
    const { store, router } = aRouter();
    const target = await aConversation(store);
    await router.route({ channel: 'email', ...target });
    expect(
      await bed.acd.position(contactIdOf('email', target.conversationId, 0)),
    ).toBeUndefined();
  });

  it('tells the operator of a missing queue once, and again once it goes again', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => lines.push(line) },
    );
    const warnings = () =>
      lines
        .map((line) => JSON.parse(line) as { msg: string; queue?: string })
        .filter((line) => line.msg === 'digital queue not defined');
    const { store, router } = aRouter(logger);
    const first = await aConversation(store);
    const second = await aConversation(store);
    await router.route({ channel: 'email', ...first });
    await router.route({ channel: 'email', ...first });
    await router.route({ channel: 'email', ...second });
    expect(warnings()).toEqual([expect.objectContaining({ queue: 'texts' })]);

    await bed.acd.defineQueue('texts', { name: 'Texts' });
    await router.route({ channel: 'email', ...second });
    await bed.acd.removeQueue('texts');
    await router.route({ channel: 'email', ...(await aConversation(store)) });
    expect(warnings()).toHaveLength(2);
  });
});
