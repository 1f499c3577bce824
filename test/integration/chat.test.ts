import { startBridgeline, type Bridgeline } from '../../src/app';
import { chatKeys } from '../../src/channels/chat/transcript';
import { loadConfig } from '../../src/config';
import type { ContextCard } from '../../src/context/card';
import { bridgelineOnOwnRedis, testAdminToken } from '../support/app';
import {
  aMessageId,
  anAgentStream,
  aVisitor,
  isType,
  type Frame,
  type FrameSocket,
} from '../support/chat-client';
import { aCustomer, anEmail } from '../support/factories';
import { allKeys, silentLogger, tempDir } from '../support/redis';

const perMinute = 5;
const maxFrameBytes = 1024;
const running = bridgelineOnOwnRedis({
  CHAT_MESSAGES_PER_MINUTE: String(perMinute),
  CHAT_MAX_FRAME_BYTES: String(maxFrameBytes),
});

const open: FrameSocket[] = [];
afterEach(() => {
  for (const socket of open.splice(0)) {
    socket.close();
  }
});

async function visitor(base = running.base, hello = {}) {
  const opened = await aVisitor(base, hello);
  open.push(opened.socket);
  return opened;
}

async function agentStream(base = running.base) {
  const stream = await anAgentStream(base, testAdminToken);
  open.push(stream);
  return stream;
}

async function say(socket: FrameSocket, text: string, id = aMessageId()) {
  const from = socket.frames.length;
  socket.send({ type: 'message', id, text });
  return socket.next((f) => f.id === id && f.type !== 'message', from);
}

async function agentReply(
  base: string,
  to: { customerId: string; conversationId: string },
  text: string,
) {
  const response = await fetch(
    `${base}/api/chats/${to.customerId}/${to.conversationId}/messages`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${testAdminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ text, author: 'Grace' }),
    },
  );
  return { status: response.status, body: (await response.json()) as Frame };
}

async function cardOf(customerId: string): Promise<ContextCard> {
  const card = await running.app.store.cardById(customerId);
  if (!card) {
    throw new Error(`no card for ${customerId}`);
  }
  return card;
}

const messagesOf = (socket: FrameSocket) =>
  socket.frames.filter((frame) => frame.type === 'message');

describe('web chat', () => {
  it('delivers a visitor message to the agent API consumer and the timeline', async () => {
    const agents = await agentStream();
    const { socket } = await visitor();

    const ack = await say(socket, 'My parcel never arrived');
    expect(ack).toMatchObject({ type: 'ack', seq: 1 });

    const seen = await agents.next(
      isType('message', (f) => f.text === 'My parcel never arrived'),
    );
    expect(seen).toMatchObject({ direction: 'inbound', seq: 1 });
    const card = await cardOf(String(seen.customerId));
    expect(card.conversations.open[0]).toMatchObject({
      id: seen.conversationId,
      currentChannel: 'chat',
      subject: 'My parcel never arrived',
    });
    expect(card.timeline[0]).toMatchObject({
      type: 'chat.message',
      direction: 'inbound',
      text: 'My parcel never arrived',
      conversationId: seen.conversationId,
    });
  });

  it('delivers an agent reply to the visitor live', async () => {
    const agents = await agentStream();
    const { socket } = await visitor();
    await say(socket, 'Hello?');
    const seen = await agents.next(isType('message'));

    const reply = await agentReply(
      running.base,
      {
        customerId: String(seen.customerId),
        conversationId: String(seen.conversationId),
      },
      'Hi, this is Grace',
    );

    expect(reply.status).toBe(200);
    const shown = await socket.next(isType('message', (f) => f.seq === 2));
    expect(shown).toMatchObject({
      direction: 'outbound',
      text: 'Hi, this is Grace',
      author: 'Grace',
    });
    expect(shown).not.toHaveProperty('customerId');
  });

  it('catches a reconnecting visitor up from its last seq, without duplicates', async () => {
    const agents = await agentStream();
    const first = await visitor();
    await say(first.socket, 'one');
    const seen = await agents.next(isType('message'));
    const to = {
      customerId: String(seen.customerId),
      conversationId: String(seen.conversationId),
    };
    await first.socket.next(isType('message', (f) => f.seq === 1));
    first.socket.close();
    await first.socket.closed();

    await agentReply(running.base, to, 'two');
    await agentReply(running.base, to, 'three');
    const again = await visitor(running.base, {
      token: first.welcome.token,
      lastSeq: 1,
    });

    await again.socket.next(isType('message', (f) => f.seq === 3));
    await say(again.socket, 'four');
    await again.socket.next(isType('message', (f) => f.seq === 4));
    expect(again.welcome.visitorId).toBe(first.welcome.visitorId);
    expect(messagesOf(again.socket).map((f) => [f.seq, f.text])).toEqual([
      [2, 'two'],
      [3, 'three'],
      [4, 'four'],
    ]);
  });

  it('stores a message sent again with the same id once', async () => {
    const agents = await agentStream();
    const { socket, welcome } = await visitor();
    const id = aMessageId();
    const first = await say(socket, 'Are you there?', id);
    const seen = await agents.next(isType('message'));
    socket.close();

    // The ack was lost with the connection: the browser sends it again.
    const again = await visitor(running.base, { token: welcome.token });
    const second = await say(again.socket, 'Are you there?', id);

    expect(second).toMatchObject({ seq: first.seq, duplicate: true });
    const transcript = await running.redis.client.xlen(
      chatKeys.transcript(String(seen.customerId), String(seen.conversationId)),
    );
    expect(transcript).toBe(1);
    const card = await cardOf(String(seen.customerId));
    expect(
      card.timeline.filter((event) => event.type === 'chat.message'),
    ).toHaveLength(1);
  });

  it('shows nothing of another customer to a visitor who types their email, and marks it unverified', async () => {
    const { store } = running.app;
    const { customer, email } = await aCustomer(store);
    await store.appendEvent(customer.id, {
      type: 'chat.message',
      direction: 'outbound',
      text: 'Your account balance is 1,024 EUR',
    });
    const agents = await agentStream();
    const { socket } = await visitor();
    const freeEmail = anEmail();

    socket.send({ type: 'profile', id: aMessageId(), email });
    socket.send({ type: 'profile', id: aMessageId(), email: freeEmail });
    await say(socket, 'What is my balance?');
    const seen = await agents.next(isType('message'));

    expect(JSON.stringify(socket.frames)).not.toContain('1,024');
    expect(JSON.stringify(socket.frames)).not.toContain(customer.id);
    expect(seen.customerId).not.toBe(customer.id);
    const card = await cardOf(String(seen.customerId));
    expect(card.identities).toContainEqual(
      expect.objectContaining({ value: freeEmail, verified: false }),
    );
    expect(card.identities.map((link) => link.value)).not.toContain(email);
    expect(card.timeline).toContainEqual(
      expect.objectContaining({
        type: 'agent.note',
        text: expect.stringContaining('unverified') as unknown,
      }),
    );
    const owner = await cardOf(customer.id);
    expect(owner.timeline.map((event) => event.type)).not.toContain(
      'agent.note',
    );
  });

  it('refuses a flood past the per-minute limit and stores none of it', async () => {
    const agents = await agentStream();
    const { socket } = await visitor();
    const answers: Frame[] = [];
    for (let i = 0; i < perMinute + 3; i += 1) {
      answers.push(await say(socket, `flood ${i}`));
    }

    expect(answers.filter((f) => f.type === 'ack')).toHaveLength(perMinute);
    expect(answers.slice(perMinute)).toEqual(
      Array(3).fill(
        expect.objectContaining({
          type: 'error',
          code: 'BL_ERR_CHAT_RATE_LIMITED',
        }),
      ),
    );
    const seen = await agents.next(isType('message'));
    const stored = await running.redis.client.xlen(
      chatKeys.transcript(String(seen.customerId), String(seen.conversationId)),
    );
    expect(stored).toBe(perMinute);
    const card = await cardOf(String(seen.customerId));
    expect(
      card.timeline.filter((event) => event.type === 'chat.message'),
    ).toHaveLength(perMinute);
  });

  it('closes the socket with 1009 on an oversized frame and stores nothing', async () => {
    const before = await allKeys(running.redis.client);
    const { socket, welcome } = await visitor();

    socket.send({
      type: 'message',
      id: aMessageId(),
      text: 'x'.repeat(maxFrameBytes),
    });

    expect(await socket.next(isType('error'))).toMatchObject({
      code: 'BL_ERR_CHAT_FRAME_TOO_LARGE',
      field: '(frame)',
    });
    expect(await socket.closed()).toBe(1009);
    expect(await allKeys(running.redis.client)).toEqual(before);
    expect(welcome.conversationId).toBeNull();
  });

  it('names the field of a malformed frame and stores nothing', async () => {
    const before = await allKeys(running.redis.client);
    const { socket } = await visitor();

    socket.send('{not json');
    socket.send({ type: 'shout', id: aMessageId() });
    socket.send({ type: 'message', id: aMessageId() });
    socket.send({ type: 'message', id: 'x', text: 'hi' });

    const errors = await socket
      .next(() => socket.frames.length >= 5)
      .then(() => socket.frames.filter((f) => f.type === 'error'));
    expect(errors.map((f) => [f.code, f.field])).toEqual([
      ['BL_ERR_INVALID_INPUT', '(frame)'],
      ['BL_ERR_INVALID_INPUT', 'type'],
      ['BL_ERR_INVALID_INPUT', 'text'],
      ['BL_ERR_INVALID_INPUT', 'id'],
    ]);
    expect(await allKeys(running.redis.client)).toEqual(before);
  });

  it('gives a forged token a new visitor instead of the one it names', async () => {
    const { welcome } = await visitor();
    const forged = `${String(welcome.visitorId)}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;

    const other = await visitor(running.base, { token: forged });

    expect(other.welcome.visitorId).not.toBe(welcome.visitorId);
  });

  it('refuses the agent stream without the admin token', async () => {
    await expect(anAgentStream(running.base, 'wrong')).rejects.toThrow(/401/);
  });

  it('answers a reply to an unknown conversation with 404', async () => {
    const { customer } = await aCustomer(running.app.store);
    const reply = await agentReply(
      running.base,
      { customerId: customer.id, conversationId: 'vnope' },
      'Hello',
    );
    expect(reply).toMatchObject({
      status: 404,
      body: { code: 'BL_ERR_CONVERSATION_NOT_FOUND' },
    });
  });

  it('leaves no chat key behind when the customer is erased', async () => {
    const agents = await agentStream();
    const { socket } = await visitor();
    await say(socket, 'Forget me');
    const seen = await agents.next(isType('message'));

    await running.app.store.erase(String(seen.customerId));

    const left = await allKeys(running.redis.client);
    expect(left.filter((key) => key.includes(String(seen.customerId)))).toEqual(
      [],
    );
  });

  describe('when two instances share one Redis', () => {
    let second: Bridgeline;
    let secondBase: string;
    beforeAll(async () => {
      const config = loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: '0',
        REDIS_URL: running.redis.server.url,
        ADMIN_TOKEN: testAdminToken,
        DATA_DIR: await tempDir('app-b'),
      });
      second = await startBridgeline(config, silentLogger);
      secondBase = `http://127.0.0.1:${second.port}`;
    });
    afterAll(() => second.close());

    it('reaches a visitor on one with a reply posted to the other', async () => {
      const agentsOnB = await agentStream(secondBase);
      const { socket } = await visitor(running.base);
      await say(socket, 'Anyone on the other side?');
      const seen = await agentsOnB.next(isType('message'));

      const reply = await agentReply(
        secondBase,
        {
          customerId: String(seen.customerId),
          conversationId: String(seen.conversationId),
        },
        'Yes, from instance B',
      );

      expect(reply.status).toBe(200);
      expect(
        await socket.next(isType('message', (f) => f.seq === 2)),
      ).toMatchObject({ text: 'Yes, from instance B' });
    });

    it('resumes on one instance a visitor welcomed by the other', async () => {
      const { socket, welcome } = await visitor(running.base);
      await say(socket, 'Started on A');
      socket.close();

      const onB = await visitor(secondBase, { token: welcome.token });

      expect(onB.welcome.visitorId).toBe(welcome.visitorId);
      expect(
        await onB.socket.next(isType('message', (f) => f.seq === 1)),
      ).toMatchObject({ text: 'Started on A' });
    });
  });
});
