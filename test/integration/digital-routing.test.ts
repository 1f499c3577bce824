import { bridgelineOnOwnRedis } from '../support/app';
import {
  aLoggedInAccount,
  bearer,
  call,
  type LoggedIn,
} from '../support/accounts';
import { until } from '../support/callbacks';
import {
  aMessageId,
  aVisitor,
  FrameSocket,
  isType,
  type Frame,
} from '../support/chat-client';
import { aMail, deliver } from '../support/email';
import { anEmail, aPhone } from '../support/factories';
import { postWebhook } from '../support/jambonz';
import { anInboundSms } from '../support/sms';

/**
 * Chats, SMS and emails routed through the ACD as they arrive, on the
 * whole app: the visitor's or sender's message queues one contact, the
 * available agent's desktop pops it, accepting gives the conversation
 * that agent, and the customer's next conversation prefers them.
 */

const secret = 'jambonz-webhook-secret-for-routing-tests';
const running = bridgelineOnOwnRedis({ JAMBONZ_WEBHOOK_SECRET: secret });

interface Desk {
  agent: LoggedIn;
  socket: FrameSocket;
}
const desks: Desk[] = [];

beforeAll(async () => {
  for (const id of ['chat', 'sms', 'email']) {
    const made = await call(running.base, 'PUT', `/api/admin/queues/${id}`, {
      name: id,
    });
    expect(made.status).toBe(200);
  }
});

// Each test's contacts end and its agents leave, so the next test's
// agents are offered only that test's contacts.
afterEach(async () => {
  const { acd } = running.app.agents;
  const contacts = await running.app.store.redis.keys('{acd}:contact:*');
  for (const key of contacts) {
    await acd.abandon(key.slice('{acd}:contact:'.length));
  }
  for (const desk of desks.splice(0)) {
    desk.socket.close();
    for (const held of (await acd.agent(desk.agent.id)).contacts) {
      await acd.finish(desk.agent.id, held.id);
    }
    await setState(desk.agent, 'offline');
  }
});

async function setState(agent: LoggedIn, state: string): Promise<void> {
  const reply = await call(
    running.base,
    'PUT',
    '/api/agents/me/state',
    { state },
    bearer(agent.token),
  );
  expect(reply.status).toBe(200);
}

/** An agent on `queues`, available, with their desktop open. */
async function anAvailableAgent(queues: string[], maxChats = 3) {
  const agent = await aLoggedInAccount(running.base, {
    queues,
    skills: [],
    maxChats,
  });
  const socket = await FrameSocket.open(
    `${running.base.replace(/^http/, 'ws')}/api/desktop/ws`,
    { cookie: agent.cookie, origin: running.base },
  );
  await socket.next(isType('hello'));
  desks.push({ agent, socket });
  await setState(agent, 'available');
  return { agent, socket };
}

/** A visitor's message, once the server acknowledged it. */
async function say(visitor: FrameSocket, text: string): Promise<void> {
  const id = aMessageId();
  visitor.send({ type: 'message', id, text });
  await visitor.next(isType('ack', (frame) => frame.id === id));
}

const popOf = (frame: Frame) => {
  const offer = frame.offer as {
    offerId: string;
    agentId: string;
    contact: { id: string; kind: string; queue: string } & Record<
      string,
      string
    >;
  };
  return { offer, card: frame.card, reason: frame.reason };
};

const pops = (socket: FrameSocket) =>
  socket.frames.filter((frame) => frame.type === 'screen-pop');

async function accept(socket: FrameSocket, offerId: string): Promise<void> {
  const from = socket.frames.length;
  socket.send({ type: 'accept', offerId });
  await socket.next(
    isType('ack', (frame) => frame.of === 'accept'),
    from,
  );
}

async function agentOf(customerId: string, conversationId: string) {
  const card = await running.app.store.cardById(customerId);
  return card?.conversations.open.find((c) => c.id === conversationId)?.agentId;
}

describe('digital routing', () => {
  it('queues a chat once on its first message and pops it with its card', async () => {
    const { agent, socket } = await anAvailableAgent(['chat']);
    const acd = running.app.agents.acd;
    const before = (await acd.stats('chat')).offered;
    const { socket: visitor } = await aVisitor(running.base);

    await say(visitor, 'Hello, my parcel never came');
    const pop = popOf(await socket.next(isType('screen-pop')));
    expect(pop.offer.agentId).toBe(agent.id);
    expect(pop.offer.contact).toMatchObject({ kind: 'chat', queue: 'chat' });
    expect(pop.card).not.toBeNull();

    await say(visitor, 'Are you there?');
    expect((await acd.stats('chat')).offered).toBe(before + 1);
    expect(pops(socket)).toHaveLength(1);
    visitor.close();
  });

  it('gives the conversation to the agent who accepts and sends them its messages live', async () => {
    const { agent, socket } = await anAvailableAgent(['chat']);
    const { socket: visitor } = await aVisitor(running.base);
    await say(visitor, 'I need to change my address');
    const { offer } = popOf(await socket.next(isType('screen-pop')));
    const { customerId, conversationId } = offer.contact;
    if (customerId === undefined || conversationId === undefined) {
      throw new Error('the chat contact has no conversation');
    }

    // Said while the chat is offered: kept, and sent once it is accepted.
    await say(visitor, 'It is 12 High Street');
    expect(socket.frames.some((frame) => frame.type === 'message')).toBe(false);
    await accept(socket, offer.offerId);
    await until(
      async () => (await agentOf(customerId, conversationId)) === agent.id,
    );
    const kept = await socket.next(isType('message'));
    expect(kept).toMatchObject({
      contactId: offer.contact.id,
      message: { direction: 'inbound', text: 'It is 12 High Street' },
    });
    await say(visitor, 'Flat 2');
    await socket.next(
      isType('message', (frame) => {
        const message = frame.message as { text: string };
        return message.text === 'Flat 2';
      }),
    );

    const reply = await call(
      running.base,
      'POST',
      `/api/chats/${customerId}/${conversationId}/messages`,
      { text: 'Changed, thank you' },
      bearer(agent.token),
    );
    expect(reply.status).toBe(200);
    await visitor.next(
      isType('message', (frame) => frame.text === 'Changed, thank you'),
    );
    socket.send({ type: 'finish', contactId: offer.contact.id });
    await socket.next(isType('ack', (frame) => frame.of === 'finish'));

    // Finished: the visitor's next message queues the conversation again.
    const from = socket.frames.length;
    await say(visitor, 'One more thing');
    const again = popOf(await socket.next(isType('screen-pop'), from));
    expect(again.offer.contact.conversationId).toBe(conversationId);
    expect(again.offer.contact.id).not.toBe(offer.contact.id);
    expect(again.reason).toBe('preferred-agent');
    const afterFinish = socket.frames
      .slice(from)
      .filter((frame) => frame.type === 'message');
    expect(afterFinish).toEqual([]);
    visitor.close();
  });

  it('sends the chat to a second tab that opened after the pop', async () => {
    const { agent, socket } = await anAvailableAgent(['chat']);
    const { socket: visitor } = await aVisitor(running.base);
    await say(visitor, 'Hello again');
    const { offer } = popOf(await socket.next(isType('screen-pop')));
    const second = await FrameSocket.open(
      `${running.base.replace(/^http/, 'ws')}/api/desktop/ws`,
      { cookie: agent.cookie, origin: running.base },
    );
    await second.next(isType('hello'));

    await accept(socket, offer.offerId);
    await second.next(isType('offer-gone'));
    await until(async () => {
      await say(visitor, 'Anyone?');
      return second.frames.some((frame) => frame.type === 'message');
    });
    expect(await second.next(isType('message'))).toMatchObject({
      contactId: offer.contact.id,
    });
    second.close();
    visitor.close();
  });

  it('stops sending a chat to a desktop once it is finished over the API', async () => {
    const { agent, socket } = await anAvailableAgent(['chat']);
    const { socket: visitor } = await aVisitor(running.base);
    await say(visitor, 'Quick question');
    const { offer } = popOf(await socket.next(isType('screen-pop')));
    await accept(socket, offer.offerId);
    const finished = await call(
      running.base,
      'POST',
      `/api/agents/me/contacts/${offer.contact.id}/finish`,
      {},
      bearer(agent.token),
    );
    expect(finished.status).toBe(200);

    const from = socket.frames.length;
    await say(visitor, 'Never mind');
    // Queued again and offered anew, but not fed as the finished contact.
    await socket.next(isType('screen-pop'), from);
    const fed = socket.frames
      .slice(from)
      .filter((frame) => frame.contactId === offer.contact.id);
    expect(fed).toEqual([]);
    visitor.close();
  });

  it('routes an SMS to its queue and the next conversation to the same agent', async () => {
    const { agent, socket } = await anAvailableAgent(['chat', 'sms']);
    const phone = aPhone();
    const sms = await postWebhook(
      running.base,
      '/jambonz/sms',
      anInboundSms(phone, 'Can I move my delivery?'),
      { secret },
    );
    expect(sms.status).toBe(200);
    const texted = popOf(await socket.next(isType('screen-pop')));
    expect(texted.offer.contact).toMatchObject({ kind: 'sms', queue: 'sms' });
    const { customerId, conversationId } = texted.offer.contact;
    if (customerId === undefined || conversationId === undefined) {
      throw new Error('the sms contact has no conversation');
    }
    await accept(socket, texted.offer.offerId);
    await until(
      async () => (await agentOf(customerId, conversationId)) === agent.id,
    );
    const finished = await call(
      running.base,
      'POST',
      `/api/agents/me/contacts/${texted.offer.contact.id}/finish`,
      {},
      bearer(agent.token),
    );
    expect(finished.status).toBe(200);

    // Someone else is free now too; the customer still gets their agent.
    await anAvailableAgent(['chat']);
    const store = running.app.store;
    const next = await store.openConversation(customerId, {
      subject: 'A new order',
      channel: 'chat',
    });
    const link = running.app.channels.links.issue({
      customerId,
      conversationId: next.id,
    });
    const { socket: visitor } = await aVisitor(running.base, { link });
    const from = socket.frames.length;
    await say(visitor, 'Me again, about another order');
    const preferred = popOf(await socket.next(isType('screen-pop'), from));
    expect(preferred.offer.contact.conversationId).toBe(next.id);
    expect(preferred.reason).toBe('preferred-agent');
    visitor.close();
  });

  it('queues no contact for a text the SMS channel answers itself', async () => {
    const acd = running.app.agents.acd;
    const before = (await acd.stats('sms')).offered;
    const sms = await postWebhook(
      running.base,
      '/jambonz/sms',
      anInboundSms(aPhone(), 'STOP'),
      { secret },
    );
    expect(sms.status).toBe(200);
    expect((await acd.stats('sms')).offered).toBe(before);
  });

  it('routes an email to the email queue', async () => {
    const { socket } = await anAvailableAgent(['email']);
    const port = running.app.channels.smtpPort();
    if (port === undefined) {
      throw new Error('the SMTP listener did not start');
    }
    const delivery = await deliver(port, aMail({ from: anEmail() }));
    expect(delivery.status).toBe('accepted');
    const emailed = popOf(await socket.next(isType('screen-pop')));
    expect(emailed.offer.contact).toMatchObject({
      kind: 'email',
      queue: 'email',
    });
  });

  it('offers no more chats to an agent at their limit', async () => {
    const { socket } = await anAvailableAgent(['chat'], 1);
    const acd = running.app.agents.acd;
    const { socket: first } = await aVisitor(running.base);
    await say(first, 'First question');
    const { offer } = popOf(await socket.next(isType('screen-pop')));
    await accept(socket, offer.offerId);

    const { socket: second } = await aVisitor(running.base);
    await say(second, 'Second question');
    // The message is acknowledged once routing has queued it.
    expect((await acd.stats('chat')).waiting).toBe(1);
    expect(pops(socket)).toHaveLength(1);
    first.close();
    second.close();
  });
});
