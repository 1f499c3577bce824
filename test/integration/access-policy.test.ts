import WebSocket from 'ws';
import { assignedKey } from '../../src/agents/assignments';
import { bridgelineOnOwnRedis } from '../support/app';
import {
  aLoggedInAccount,
  bearer,
  call,
  type LoggedIn,
} from '../support/accounts';
import { aCustomer } from '../support/factories';

const running = bridgelineOnOwnRedis();

let agent: LoggedIn;
let supervisor: LoggedIn;
let admin: LoggedIn;

beforeAll(async () => {
  agent = await aLoggedInAccount(running.base, { role: 'agent' });
  supervisor = await aLoggedInAccount(running.base, { role: 'supervisor' });
  admin = await aLoggedInAccount(running.base, { role: 'admin' });
});

const as = (who: LoggedIn) => bearer(who.token);

describe('roles on the API', () => {
  it('gives an agent 403 on the admin API and on erasure', async () => {
    const { customer } = await aCustomer(running.app.store);
    const flows = await call(
      running.base,
      'GET',
      '/api/admin/flows',
      undefined,
      as(agent),
    );
    const erase = await call(
      running.base,
      'DELETE',
      `/api/customers/${customer.id}`,
      undefined,
      as(agent),
    );
    expect(flows.status).toBe(403);
    expect(flows.body.code).toBe('BL_ERR_FORBIDDEN');
    expect(erase.status).toBe(403);
    expect(await running.app.store.cardById(customer.id)).toBeDefined();
  });

  it('gives a supervisor 403 on accounts and erasure, 200 on customers', async () => {
    const { customer } = await aCustomer(running.app.store);
    const accounts = await call(
      running.base,
      'GET',
      '/api/admin/accounts',
      undefined,
      as(supervisor),
    );
    const erase = await call(
      running.base,
      'DELETE',
      `/api/customers/${customer.id}`,
      undefined,
      as(supervisor),
    );
    const context = await call(
      running.base,
      'GET',
      `/api/context?customerId=${customer.id}`,
      undefined,
      as(supervisor),
    );
    expect(accounts.status).toBe(403);
    expect(erase.status).toBe(403);
    expect(context.status).toBe(200);
  });

  it('lets an admin account and ADMIN_TOKEN reach everything', async () => {
    for (const headers of [as(admin), undefined]) {
      const { customer } = await aCustomer(running.app.store);
      const paths = [
        '/api/admin/flows',
        '/api/admin/accounts',
        `/api/context?customerId=${customer.id}`,
        '/api/auth/me',
      ];
      for (const path of paths) {
        const reply = await call(running.base, 'GET', path, undefined, headers);
        expect([path, reply.status]).toEqual([path, 200]);
      }
      const erase = await call(
        running.base,
        'DELETE',
        `/api/customers/${customer.id}`,
        undefined,
        headers,
      );
      expect(erase.status).toBe(200);
    }
  });

  it('gives an agent 403 on customer writes and replies', async () => {
    const { customer } = await aCustomer(running.app.store);
    const replies = [
      ['POST', '/api/customers', { name: 'X' }],
      ['POST', `/api/customers/${customer.id}/events`, { type: 'agent.note' }],
      ['POST', `/api/chats/${customer.id}/c1/messages`, { text: 'hi' }],
      ['GET', '/api/recordings/CA123.wav', undefined],
    ] as const;
    for (const [method, path, body] of replies) {
      const reply = await call(running.base, method, path, body, as(agent));
      expect([path, reply.status]).toEqual([path, 403]);
    }
  });

  it('refuses an agent another account by changing the id in the URL', async () => {
    for (const id of [supervisor.id, agent.id]) {
      const reply = await call(
        running.base,
        'GET',
        `/api/admin/accounts/${id}`,
        undefined,
        as(agent),
      );
      expect(reply.status).toBe(403);
    }
    const me = await call(
      running.base,
      'GET',
      '/api/auth/me',
      undefined,
      as(agent),
    );
    expect(me.body.account).toMatchObject({ id: agent.id });
  });
});

describe('when an agent reads a context card', () => {
  it('gets 403 for a customer not assigned to them, and 200 once assigned', async () => {
    const { customer, phone } = await aCustomer(running.app.store);
    const byId = `/api/context?customerId=${customer.id}`;
    const byPhone = `/api/context?phone=${encodeURIComponent(phone)}`;
    for (const path of [byId, byPhone]) {
      const reply = await call(running.base, 'GET', path, undefined, as(agent));
      expect([path, reply.status]).toEqual([path, 403]);
    }
    await running.redis.client.sadd(assignedKey(agent.id), customer.id);
    for (const path of [byId, byPhone]) {
      const reply = await call(running.base, 'GET', path, undefined, as(agent));
      expect([path, reply.status]).toEqual([path, 200]);
      expect(reply.body.customer).toMatchObject({ id: customer.id });
    }
    // Assigned to one agent is not assigned to another.
    const other = await aLoggedInAccount(running.base, { role: 'agent' });
    const theirs = await call(running.base, 'GET', byId, undefined, as(other));
    expect(theirs.status).toBe(403);
  });

  it('gets 403, not 404, for a customer that does not exist', async () => {
    const reply = await call(
      running.base,
      'GET',
      '/api/context?customerId=cNoSuchCustomer',
      undefined,
      as(agent),
    );
    expect(reply.status).toBe(403);
  });
});

describe('when an agent replies to a customer', () => {
  it('is refused for a customer not assigned to them, and let through once assigned', async () => {
    const { customer } = await aCustomer(running.app.store);
    const chat = await running.app.store.openConversation(customer.id, {
      subject: 'a parcel',
      channel: 'chat',
    });
    const reply = `/api/chats/${customer.id}/${chat.id}/messages`;
    const send = () =>
      call(running.base, 'POST', reply, { text: 'On its way' }, as(agent));

    expect((await send()).status).toBe(403);
    await running.redis.client.sadd(assignedKey(agent.id), customer.id);
    const sent = await send();

    expect(sent.status).toBe(200);
    const card = await running.app.store.cardById(customer.id);
    expect(card?.timeline[0]).toMatchObject({
      type: 'chat.message',
      direction: 'outbound',
      text: 'On its way',
    });
    const other = await aLoggedInAccount(running.base, { role: 'agent' });
    const theirs = await call(
      running.base,
      'POST',
      reply,
      { text: 'Not mine' },
      as(other),
    );
    expect(theirs.status).toBe(403);
  });
});

describe('a WebSocket under /api', () => {
  function open(headers: Record<string, string>): Promise<number> {
    const socket = new WebSocket(
      `${running.base.replace('http', 'ws')}/api/chats/stream`,
      { headers },
    );
    return new Promise((resolve) => {
      socket.on('open', () => {
        socket.close();
        resolve(101);
      });
      socket.on('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
      });
    });
  }

  it('opens with a session cookie from our own origin only', async () => {
    expect(
      await open({ cookie: supervisor.cookie, origin: running.base }),
    ).toBe(101);
    expect(
      await open({ cookie: supervisor.cookie, origin: 'https://evil.example' }),
    ).toBe(403);
    expect(await open({ cookie: supervisor.cookie })).toBe(403);
  });

  it('checks the role too: an agent cannot watch every chat', async () => {
    expect(await open({ cookie: agent.cookie, origin: running.base })).toBe(
      403,
    );
    expect(await open({})).toBe(401);
  });
});
