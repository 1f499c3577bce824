import WebSocket from 'ws';
import type { Contact } from '../../src/agents/types';
import type { EffectCaller } from '../../src/ivr/types';
import type { FrameSocket } from '../support/chat-client';
import {
  aDesktopSocket,
  anAgent,
  aLoggedInAgent,
  isFrame,
  RecordingCallbacks,
  startDesktopServer,
  type DesktopServer,
} from '../support/desktop';
import { aCustomer } from '../support/factories';
import { storeOnOwnRedis } from '../support/redis';

/**
 * The desktop WebSocket's door and its frames: who may open it, and what
 * a desktop may say once it is open.
 */

const opened: {
  server?: DesktopServer;
  real?: DesktopServer;
  sockets: FrameSocket[];
} = { sockets: [] };
// Declared before the store's own afterAll, so it runs before Redis stops.
afterAll(async () => {
  for (const socket of opened.sockets) {
    socket.close();
  }
  await opened.server?.close();
  await opened.real?.close();
});
const context = storeOnOwnRedis();
const callbacks = new RecordingCallbacks();
// The handoff texts a link through jambonz; here, what it was asked.
const handoffs: EffectCaller[] = [];

beforeAll(async () => {
  opened.server = await startDesktopServer(context.store, {
    sipWsUri: 'wss://sip.example.com:8443/ws',
    sipDomain: 'sip.example.com',
    withAcd: true,
    callbacks,
    handoff: {
      available: () => true,
      perform: (caller) => {
        handoffs.push(caller);
        return Promise.resolve({
          outcome: 'done',
          customerId: caller.customerId ?? '',
          conversationId: caller.conversationId ?? '',
        });
      },
    },
  });
  await acd().defineQueue('support', { name: 'Support' });
  opened.real = await startDesktopServer(context.store, {
    withSessions: true,
  });
});

function server(): DesktopServer {
  if (!opened.server) {
    throw new Error('the desktop server did not start');
  }
  return opened.server;
}

function acd() {
  const routing = server().acd;
  if (!routing) {
    throw new Error('the ACD did not start');
  }
  return routing;
}

async function signedIn(role: 'agent' | 'supervisor' = 'agent') {
  const agent = anAgent(role);
  await acd().upsertAgent({ id: agent.accountId, queues: ['support'] });
  const session = server().auth.signIn(agent);
  const socket = await aDesktopSocket(server().base, session);
  opened.sockets.push(socket);
  return { agent, session, socket };
}

/** What the server answered instead of upgrading: status and JSON body. */
function refusal(
  headers: Record<string, string>,
  base = server().base,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = `${base.replace(/^http/, 'ws')}/api/desktop/ws`;
  const socket = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.close();
      reject(new Error('the socket was upgraded'));
    });
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = JSON.parse(
          Buffer.concat(chunks).toString('utf8'),
        ) as Record<string, unknown>;
        resolve({ status: response.statusCode ?? 0, body });
        socket.terminate();
      });
    });
  });
}

describe('the desktop WebSocket', () => {
  describe('when the request has no session', () => {
    it('answers 401 before the upgrade and subscribes nothing', async () => {
      const before = server().desktop.hub.channelCount;
      const answer = await refusal({ origin: server().base });
      expect(answer).toMatchObject({
        status: 401,
        body: { code: 'BL_ERR_UNAUTHORIZED' },
      });

      const forged = await refusal({
        origin: server().base,
        cookie: 'bl_session=not-a-session',
      });
      expect(forged.status).toBe(401);
      expect(server().desktop.hub.channelCount).toBe(before);
    });
  });

  describe('when the Origin is not bridgeline', () => {
    it('answers 403 even with a valid session', async () => {
      const session = server().auth.signIn(anAgent());
      const answer = await refusal({
        origin: 'https://evil.example',
        cookie: `bl_session=${session}`,
      });
      expect(answer).toMatchObject({
        status: 403,
        body: { code: 'BL_ERR_ORIGIN_REFUSED' },
      });
    });
  });

  describe('when the session is the bootstrap admin token', () => {
    it('answers 403: an operator has no desktop', async () => {
      const session = server().auth.signIn({
        kind: 'bootstrap',
        role: 'admin',
      });
      const answer = await refusal({
        origin: server().base,
        cookie: `bl_session=${session}`,
      });
      expect(answer).toMatchObject({
        status: 403,
        body: { code: 'BL_ERR_FORBIDDEN' },
      });
    });
  });

  it('greets the agent with who the session says they are', async () => {
    const { agent, socket } = await signedIn('supervisor');
    expect(socket.frames[0]).toEqual({
      type: 'hello',
      agent: {
        id: agent.accountId,
        displayName: agent.displayName,
        role: 'supervisor',
      },
    });
  });

  it('refuses a bad frame with an error naming the field, and does nothing', async () => {
    const { agent, socket } = await signedIn();
    const before = await acd().agent(agent.accountId);
    const cases: [unknown, string][] = [
      [{ type: 'state', state: 'asleep' }, 'state'],
      [{ type: 'accept' }, 'offerId'],
      [{ type: 'accept', offerId: 'o1', agentId: 'someone-else' }, 'agentId'],
      [{ type: 'dance' }, 'type'],
      ['not json', '(frame)'],
    ];
    for (const [frame, field] of cases) {
      const from = socket.frames.length;
      socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
      const error = await socket.next(isFrame('error'), from);
      expect(error).toMatchObject({ code: 'BL_ERR_INVALID_INPUT', field });
    }
    expect(await acd().agent(agent.accountId)).toEqual(before);
  });

  it('acts for the signed-in agent and notes the wrap-up on the timeline', async () => {
    const { agent, session, socket } = await signedIn();
    const { customer } = await aCustomer(context.store);
    const conversation = await context.store.openConversation(customer.id, {
      subject: 'Refund',
      channel: 'voice',
    });
    socket.send({ type: 'state', state: 'available' });
    await socket.next(isFrame('state', (f) => f.state === 'available'));

    const routed = await acd().enqueue({
      id: `k-${conversation.id}`,
      kind: 'voice',
      queue: 'support',
      customerId: customer.id,
      conversationId: conversation.id,
    });
    expect(routed).toMatchObject({ offer: { agentId: agent.accountId } });
    const pop = await socket.next(isFrame('screen-pop'));
    const { offerId, contact } = pop.offer as {
      offerId: string;
      contact: Contact;
    };

    // The frame names no agent: whose offer it is comes from the session.
    socket.send({ type: 'accept', offerId });
    await socket.next(isFrame('state', (f) => f.state === 'on-contact'));
    // A tab opened after the pop still knows whose contact it finishes.
    const later = await aDesktopSocket(server().base, session);
    opened.sockets.push(later);
    await later.next(isFrame('state', (f) => f.state === 'on-contact'));
    later.send({ type: 'finish', contactId: contact.id, note: 'Refunded' });
    await later.next(isFrame('ack', (f) => f.of === 'finish'));

    const card = await context.store.cardById(customer.id);
    expect(card?.timeline[0]).toMatchObject({
      type: 'agent.note',
      agentId: agent.accountId,
      text: 'Refunded',
      conversationId: conversation.id,
    });
    expect(await acd().agent(agent.accountId)).toMatchObject({
      state: 'available',
      contacts: [],
    });
  });

  it('refuses what the ACD refuses, with its code', async () => {
    const { socket } = await signedIn();
    socket.send({ type: 'accept', offerId: 'o-nobody-made' });
    await socket.next(
      isFrame('error', (f) => f.code === 'BL_ERR_OFFER_NOT_FOUND'),
    );
  });

  it('closes the socket with 1009 on a frame over 16 KiB', async () => {
    const { socket } = await signedIn();
    socket.send({ type: 'finish', contactId: 'k1', note: 'x'.repeat(17_000) });
    await expect(socket.next(() => false)).rejects.toThrow('(1009)');
  });
});

describe('the desktop WebSocket on real sessions', () => {
  function real(): DesktopServer {
    if (!opened.real) {
      throw new Error('the desktop server with sessions did not start');
    }
    return opened.real;
  }

  it('opens for the session POST /api/auth/login set', async () => {
    const { account, session } = await aLoggedInAgent(real(), {
      displayName: 'Grace Hopper',
    });
    const socket = await aDesktopSocket(real().base, session);
    opened.sockets.push(socket);
    expect(socket.frames[0]).toEqual({
      type: 'hello',
      agent: { id: account.id, displayName: 'Grace Hopper', role: 'agent' },
    });
    const config = await fetch(`${real().base}/api/desktop/config`, {
      headers: { cookie: `bl_session=${session}` },
    });
    // The phone registers as the account's SIP user.
    expect(await config.json()).toMatchObject({ sipUser: account.sipUser });
  });

  it('refuses a forged session with 401 and a foreign page with 403', async () => {
    const { session } = await aLoggedInAgent(real());
    const forged = await refusal(
      { origin: real().base, cookie: 'bl_session=forged-session-token' },
      real().base,
    );
    expect(forged).toMatchObject({
      status: 401,
      body: { code: 'BL_ERR_UNAUTHORIZED' },
    });
    const foreign = await refusal(
      { origin: 'https://evil.example', cookie: `bl_session=${session}` },
      real().base,
    );
    expect(foreign).toMatchObject({
      status: 403,
      body: { code: 'BL_ERR_ORIGIN_REFUSED' },
    });
    const none = await refusal(
      { cookie: `bl_session=${session}` },
      real().base,
    );
    expect(none.status).toBe(403);
  });
});

describe('the desktop page and its settings', () => {
  it('serves the page with a policy that allows the SIP WebSocket', async () => {
    const response = await fetch(`${server().base}/desktop`);
    expect(response.status).toBe(200);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self' wss://sip.example.com:8443");
  });

  it('gives the softphone settings to a session only', async () => {
    const url = `${server().base}/api/desktop/config`;
    expect((await fetch(url)).status).toBe(401);
    const agent = anAgent();
    const session = server().auth.signIn(agent);
    const response = await fetch(url, {
      headers: { cookie: `bl_session=${session}` },
    });
    expect(await response.json()).toEqual({
      sipWsUri: 'wss://sip.example.com:8443/ws',
      sipDomain: 'sip.example.com',
      sipUser: agent.accountId,
    });
  });

  it('books a callback for a customer routing gave the agent, from our page only', async () => {
    const { customer } = await aCustomer(context.store);
    const url =
      `${server().base}/api/desktop/conversations/${customer.id}/` +
      'v-phone-1/callback';
    const { agent, session } = await signedIn();
    await acd().setState(agent.accountId, 'available');
    const post = (origin: string, body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: {
          cookie: `bl_session=${session}`,
          origin,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });

    const notTheirs = await post(server().base, { requestId: 'r-12345678' });
    expect(notTheirs.status).toBe(403);
    await acd().enqueue({
      id: `k-cb-${customer.id}`,
      kind: 'chat',
      queue: 'support',
      customerId: customer.id,
      preferredAgentId: agent.accountId,
    });

    const foreign = await post('https://evil.example', {
      requestId: 'r-12345678',
    });
    expect(foreign.status).toBe(403);
    const bad = await post(server().base, { requestId: 'x' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'requestId' });
    expect(callbacks.requests).toEqual([]);

    const booked = await post(server().base, { requestId: 'r-12345678' });
    expect(booked.status).toBe(201);
    expect(await booked.json()).toMatchObject({ status: 'scheduled' });
    expect(callbacks.requests).toEqual([
      {
        customerId: customer.id,
        conversationId: 'v-phone-1',
        source: 'chat',
        requestKey: 'desktop-r-12345678',
      },
    ]);

    const linked = await fetch(url.replace(/callback$/, 'chat-link'), {
      method: 'POST',
      headers: { cookie: `bl_session=${session}`, origin: server().base },
    });
    expect(linked.status).toBe(201);
    expect(handoffs).toMatchObject([
      { customerId: customer.id, conversationId: 'v-phone-1' },
    ]);
  });
});
