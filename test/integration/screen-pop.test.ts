import { Redis } from 'ioredis';
import type { Acd } from '../../src/agents/acd';
import type { Role } from '../../src/agents/types';
import { ContextStore } from '../../src/context/store';
import { waitForReady } from '../../src/redis/connect';
import type { FrameSocket } from '../support/chat-client';
import {
  aContact,
  aDesktopSocket,
  anAgent,
  anOffer,
  isFrame,
  startDesktopServer,
  type DesktopServer,
} from '../support/desktop';
import { aCustomer, storeOptions } from '../support/factories';
import { storeOnOwnRedis } from '../support/redis';

/**
 * The screen-pop crosses instances: routing on instance A publishes it,
 * the agent's desktop is connected to instance B, both on one Redis.
 */

const servers: { a?: DesktopServer; b?: DesktopServer; redisB?: Redis } = {};
const sockets: FrameSocket[] = [];
// Declared before the store's own afterAll, so it runs before Redis stops.
afterAll(async () => {
  for (const socket of sockets) {
    socket.close();
  }
  await servers.a?.close();
  await servers.b?.close();
  servers.redisB?.disconnect();
});
const context = storeOnOwnRedis();

beforeAll(async () => {
  servers.a = await startDesktopServer(context.store, { withAcd: true });
  // Instance B has its own connection, as a second process would.
  servers.redisB = new Redis(context.redis.server.url);
  await waitForReady(servers.redisB);
  servers.b = await startDesktopServer(
    new ContextStore(servers.redisB, storeOptions),
    { withAcd: true },
  );
});

function instances() {
  const { a, b } = servers;
  if (!a?.acd || !b?.acd) {
    throw new Error('the desktop servers did not start');
  }
  return { a, b, routing: a.acd };
}

let queues = 0;

/** A queue of its own and an available agent in it, on the ACD. */
async function anAvailableAgent(acd: Acd, role: Role = 'agent') {
  queues += 1;
  const queue = `q${queues}`;
  await acd.defineQueue(queue, { name: `Queue ${queues}` });
  const agent = anAgent(role);
  await acd.upsertAgent({ id: agent.accountId, queues: [queue] });
  await acd.setState(agent.accountId, 'available');
  return { agent, queue };
}

async function connected(server: DesktopServer, session: string) {
  const socket = await aDesktopSocket(server.base, session);
  sockets.push(socket);
  return socket;
}

/** A caller known by phone, with a chat earlier and an IVR walk now. */
async function aCallerMidIvr(store: ContextStore) {
  const { customer, phone, email } = await aCustomer(store, {
    name: 'Ada Lovelace',
  });
  const conversation = await store.openConversation(customer.id, {
    subject: 'Late delivery',
    channel: 'chat',
  });
  const callSid = `CA${Date.now()}`;
  await store.appendEvents(customer.id, [
    {
      type: 'chat.message',
      direction: 'inbound',
      text: 'My parcel is late',
      conversationId: conversation.id,
    },
    { type: 'call.started', direction: 'inbound', callSid },
    { type: 'ivr.step', callSid, node: 'greeting' },
    { type: 'ivr.step', callSid, node: 'menu', input: '2' },
    { type: 'ivr.step', callSid: 'CAother', node: 'other-call' },
  ]);
  return { customer, phone, email, conversation, callSid };
}

describe('the screen-pop', () => {
  it('reaches the agent on another instance by the time routing returns', async () => {
    const { b, routing } = instances();
    const { agent, queue } = await anAvailableAgent(routing);
    const socket = await connected(b, b.auth.signIn(agent));
    const caller = await aCallerMidIvr(context.store);

    const from = socket.frames.length;
    const routed = await routing.enqueue({
      id: `k-${caller.callSid}`,
      kind: 'voice',
      queue,
      customerId: caller.customer.id,
      conversationId: caller.conversation.id,
      callSid: caller.callSid,
      preferredAgentId: agent.accountId,
    });
    if (routed.status !== 'offered') {
      throw new Error(`the contact was not offered: ${routed.status}`);
    }
    // onOffer resolved before enqueue did: only socket transit is left.
    const pop = await socket.next(isFrame('screen-pop'), from, 1000);

    expect(pop).toMatchObject({
      offer: { offerId: routed.offer.offerId, agentId: agent.accountId },
      reason: 'preferred-agent',
      card: { customer: { id: caller.customer.id, name: 'Ada Lovelace' } },
    });
    expect(pop.card).toMatchObject({
      identities: expect.arrayContaining([
        expect.objectContaining({
          kind: 'phone',
          value: caller.phone,
          verified: true,
        }),
        expect.objectContaining({
          kind: 'email',
          value: caller.email,
          verified: false,
        }),
      ]) as unknown,
      conversations: {
        open: [{ id: caller.conversation.id, subject: 'Late delivery' }],
      },
    });
    expect(JSON.stringify(pop.card)).toContain('My parcel is late');
    expect(pop.ivrPath).toMatchObject([
      { node: 'greeting' },
      { node: 'menu', input: '2' },
    ]);
  });

  it('reaches every tab the agent has open, on either instance', async () => {
    const { a, b } = instances();
    const agent = anAgent();
    const session = b.auth.signIn(agent);
    a.auth.sessions.set(session, agent);
    const tabs = [await connected(a, session), await connected(b, session)];

    const offer = anOffer(agent.accountId);
    await b.desktop.pops.deliver(offer);

    for (const tab of tabs) {
      await tab.next(
        isFrame('screen-pop', (f) => JSON.stringify(f).includes(offer.offerId)),
      );
    }
  });

  it('gives an unknown caller a pop without history', async () => {
    const { a, b } = instances();
    const agent = anAgent();
    const socket = await connected(b, b.auth.signIn(agent));

    const offer = anOffer(agent.accountId, aContact({ callSid: 'CAnew' }));
    await a.desktop.pops.deliver(offer);

    const pop = await socket.next(isFrame('screen-pop'));
    expect(pop).toMatchObject({ card: null, ivrPath: [] });
  });

  it('never shows an agent a pop meant for another agent', async () => {
    const { a, b } = instances();
    const [first, second] = [anAgent(), anAgent()];
    const firstSocket = await connected(b, b.auth.signIn(first));
    const secondSocket = await connected(b, b.auth.signIn(second));
    const caller = await aCallerMidIvr(context.store);

    const forFirst = anOffer(
      first.accountId,
      aContact({ customerId: caller.customer.id }),
    );
    const forSecond = anOffer(second.accountId);
    await a.desktop.pops.deliver(forFirst);
    await a.desktop.pops.deliver(forSecond);

    await firstSocket.next(isFrame('screen-pop'));
    // One subscriber connection on B receives both in publish order: once
    // the second agent has theirs, the first one's was handed out too.
    await secondSocket.next(
      isFrame('screen-pop', (f) =>
        JSON.stringify(f).includes(forSecond.offerId),
      ),
    );
    const seen = JSON.stringify(secondSocket.frames);
    expect(seen).not.toContain(forFirst.offerId);
    expect(seen).not.toContain(caller.customer.id);
  });

  it('tells every tab when an offer is declined and what state the agent is in', async () => {
    const { a, b, routing } = instances();
    const { agent, queue } = await anAvailableAgent(routing);
    const session = b.auth.signIn(agent);
    a.auth.sessions.set(session, agent);
    const [here, there] = [
      await connected(b, session),
      await connected(a, session),
    ];

    const routed = await routing.enqueue({
      id: `k-${queue}`,
      kind: 'chat',
      queue,
    });
    if (routed.status !== 'offered') {
      throw new Error(`the contact was not offered: ${routed.status}`);
    }
    await here.next(isFrame('screen-pop'));
    here.send({ type: 'decline', offerId: routed.offer.offerId });

    for (const tab of [here, there]) {
      await tab.next(
        isFrame(
          'offer-gone',
          (f) => f.offerId === routed.offer.offerId && f.why === 'declined',
        ),
      );
    }
    here.send({ type: 'state', state: 'away', reason: 'lunch' });
    await there.next(
      isFrame('state', (f) => f.state === 'away' && f.reason === 'lunch'),
    );
    expect(await routing.agent(agent.accountId)).toMatchObject({
      state: 'away',
      reason: 'lunch',
    });
  });

  it('sends queue statistics to supervisors and not to agents', async () => {
    const { b, routing } = instances();
    const { agent, queue } = await anAvailableAgent(routing);
    const agentSocket = await connected(b, b.auth.signIn(agent));
    const supervisor = await connected(b, b.auth.signIn(anAgent('supervisor')));

    await routing.enqueue({ id: `k-${queue}`, kind: 'sms', queue });
    await supervisor.next(
      isFrame(
        'queue-stats',
        (f) =>
          f.queue === queue &&
          JSON.stringify(f.stats).includes('"agentsStaffed":1'),
      ),
    );
    // Ordering again: the agent's own frame follows the statistics.
    await b.desktop.pops.stateChanged(agent.accountId, 'available');
    await agentSocket.next(isFrame('state'));
    expect(agentSocket.frames.map((f) => f.type)).not.toContain('queue-stats');
  });
});
