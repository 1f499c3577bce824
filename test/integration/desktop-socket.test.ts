import WebSocket from 'ws';
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
import { aCustomer } from '../support/factories';
import { storeOnOwnRedis } from '../support/redis';

/**
 * The desktop WebSocket's door and its frames: who may open it, and what
 * a desktop may say once it is open.
 */

const opened: { server?: DesktopServer; sockets: FrameSocket[] } = {
  sockets: [],
};
// Declared before the store's own afterAll, so it runs before Redis stops.
afterAll(async () => {
  for (const socket of opened.sockets) {
    socket.close();
  }
  await opened.server?.close();
});
const context = storeOnOwnRedis();

beforeAll(async () => {
  opened.server = await startDesktopServer(context.store, {
    sipWsUri: 'wss://sip.example.com:8443/ws',
    sipDomain: 'sip.example.com',
  });
});

function server(): DesktopServer {
  if (!opened.server) {
    throw new Error('the desktop server did not start');
  }
  return opened.server;
}

async function signedIn(role: 'agent' | 'supervisor' = 'agent') {
  const agent = anAgent(role);
  const socket = await aDesktopSocket(
    server().base,
    server().auth.signIn(agent),
  );
  opened.sockets.push(socket);
  return { agent, socket };
}

/** What the server answered instead of upgrading: status and JSON body. */
function refusal(
  headers: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = `${server().base.replace(/^http/, 'ws')}/api/desktop/ws`;
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
    const { socket } = await signedIn();
    const calls = server().actions.calls.length;
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
    expect(server().actions.calls.length).toBe(calls);
  });

  it('acts for the signed-in agent, whatever the frame says', async () => {
    const { agent, socket } = await signedIn();
    socket.send({ type: 'state', state: 'available' });
    socket.send({ type: 'accept', offerId: 'o-accepted' });
    socket.send({ type: 'decline', offerId: 'o-declined' });
    await socket.next(isFrame('ack', (f) => f.of === 'decline'));

    const mine = server().actions.calls.filter(
      (call) => call.agentId === agent.accountId,
    );
    expect(mine).toEqual([
      { kind: 'setState', agentId: agent.accountId, state: 'available' },
      { kind: 'accept', agentId: agent.accountId, offerId: 'o-accepted' },
      { kind: 'decline', agentId: agent.accountId, offerId: 'o-declined' },
    ]);
  });

  it('puts the wrap-up note on the customer timeline as an agent note', async () => {
    const { agent, socket } = await signedIn();
    const { customer } = await aCustomer(context.store);
    const conversation = await context.store.openConversation(customer.id, {
      subject: 'Refund',
      channel: 'voice',
    });
    const contact = aContact({
      customerId: customer.id,
      conversationId: conversation.id,
    });
    await server().desktop.pops.deliver(anOffer(agent.accountId, contact));
    await socket.next(isFrame('screen-pop'));

    socket.send({ type: 'finish', contactId: contact.id, note: 'Refunded' });
    await socket.next(isFrame('ack', (f) => f.of === 'finish'));

    const card = await context.store.cardById(customer.id);
    expect(card?.timeline[0]).toMatchObject({
      type: 'agent.note',
      agentId: agent.accountId,
      text: 'Refunded',
      conversationId: conversation.id,
    });
    expect(server().actions.calls).toContainEqual({
      kind: 'finish',
      agentId: agent.accountId,
      contactId: contact.id,
      note: 'Refunded',
    });
  });

  it('closes the socket with 1009 on a frame over 16 KiB', async () => {
    const { socket } = await signedIn();
    socket.send({ type: 'finish', contactId: 'k1', note: 'x'.repeat(17_000) });
    await expect(socket.next(() => false)).rejects.toThrow('(1009)');
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
    const session = server().auth.signIn(anAgent());
    const response = await fetch(url, {
      headers: { cookie: `bl_session=${session}` },
    });
    expect(await response.json()).toEqual({
      sipWsUri: 'wss://sip.example.com:8443/ws',
      sipDomain: 'sip.example.com',
    });
  });
});
