import { allKeys } from '../support/redis';
import { bridgelineOnOwnRedis } from '../support/app';
import {
  aLoggedInAccount,
  anAccountInput,
  aPassword,
  aUsername,
  bearer,
  call,
} from '../support/accounts';
import { isPasswordHash } from '../../src/agents/passwords';
import { AccountStore, type Account } from '../../src/agents/accounts';
import { SessionStore } from '../../src/agents/sessions';
import { silentLogger, startTestRedis, type TestRedis } from '../support/redis';

const running = bridgelineOnOwnRedis();

const create = (body: unknown) =>
  call(running.base, 'POST', '/api/admin/accounts', body);

async function everyValueIn(keys: string[]): Promise<string> {
  const client = running.redis.client;
  const parts: string[] = [];
  for (const key of keys) {
    const type = await client.type(key);
    if (type === 'string') {
      parts.push((await client.get(key)) ?? '');
    } else if (type === 'hash') {
      parts.push(JSON.stringify(await client.hgetall(key)));
    } else if (type === 'set') {
      parts.push(...(await client.smembers(key)));
    } else if (type === 'zset') {
      parts.push(...(await client.zrange(key, 0, -1)));
    }
  }
  return [...keys, ...parts].join('\n');
}

describe('the account store', () => {
  it('creates an account with defaults and never shows its hash', async () => {
    const input = anAccountInput({
      username: `  ${aUsername().toUpperCase()}`,
    });
    const reply = await create(input);
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      username: input.username.trim().toLowerCase(),
      role: 'agent',
      skills: ['billing'],
      queues: ['support'],
      maxChats: 3,
      sipUser: input.username.trim().toLowerCase(),
      disabled: false,
    });
    expect(reply.body.id).toMatch(/^a[A-Za-z0-9_-]{12}$/);
    expect(reply.body).not.toHaveProperty('passwordHash');
    const listed = await call(running.base, 'GET', '/api/admin/accounts');
    expect(JSON.stringify(listed.body)).not.toContain('scrypt$');
  });

  it('stores the password as scrypt, never as itself', async () => {
    const input = anAccountInput();
    const reply = await create(input);
    const hash = await running.redis.client.hget(
      `account:{${String(reply.body.id)}}`,
      'passwordHash',
    );
    expect(hash).toMatch(
      /^scrypt\$15\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/,
    );
    expect(isPasswordHash(hash ?? '')).toBe(true);
    const keys = await allKeys(running.redis.client);
    expect(await everyValueIn(keys)).not.toContain(input.password);
  });

  it('keeps SIP credentials as HA1 only, with no clear password anywhere', async () => {
    const sipPassword = aPassword();
    const input = anAccountInput({ sipUser: aUsername('phone'), sipPassword });
    const reply = await create(input);
    expect(reply.status).toBe(201);
    const sip = await running.redis.client.hgetall(`sipuser:${input.sipUser}`);
    expect(Object.keys(sip).sort()).toEqual([
      'agentId',
      'ha1_md5',
      'ha1_sha256',
      'realm',
    ]);
    expect(sip.agentId).toBe(reply.body.id);
    expect(sip.realm).toBe('bridgeline');
    expect(sip.ha1_md5).toMatch(/^[0-9a-f]{32}$/);
    expect(sip.ha1_sha256).toMatch(/^[0-9a-f]{64}$/);
    const everything = await everyValueIn(await allKeys(running.redis.client));
    expect(everything).not.toContain(sipPassword);
    expect(everything).not.toContain(input.password);
  });

  it('claims a username once when two admins create it at once', async () => {
    const username = aUsername();
    const replies = await Promise.all([
      create(anAccountInput({ username })),
      create(anAccountInput({ username })),
    ]);
    expect(replies.map((reply) => reply.status).sort()).toEqual([201, 409]);
    const taken = replies.find((reply) => reply.status === 409);
    expect(taken?.body).toMatchObject({
      code: 'BL_ERR_USERNAME_TAKEN',
      field: 'username',
    });
    const listed = await call(running.base, 'GET', '/api/admin/accounts');
    const named = (listed.body.accounts as { username: string }[]).filter(
      (account) => account.username === username,
    );
    expect(named).toHaveLength(1);
  });

  it('answers 400 naming each bad field, and stores nothing', async () => {
    const before = await allKeys(running.redis.client);
    const reply = await create({
      username: 'x',
      displayName: 'Ada',
      role: 'owner',
      password: 'short',
    });
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('BL_ERR_INVALID_INPUT');
    const fields = (reply.body.problems as { field: string }[]).map(
      (problem) => problem.field,
    );
    expect(fields.sort()).toEqual(['password', 'role', 'username']);
    expect((await allKeys(running.redis.client)).sort()).toEqual(before.sort());
  });

  it('answers 404 for an unknown id', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/admin/accounts/aAAAAAAAAAAAA', undefined],
      ['PATCH', '/api/admin/accounts/aAAAAAAAAAAAA', { displayName: 'X' }],
      ['DELETE', '/api/admin/accounts/nonsense', undefined],
      [
        'PUT',
        '/api/admin/accounts/aAAAAAAAAAAAA/password',
        { password: aPassword() },
      ],
    ] as const) {
      const reply = await call(running.base, method, path, body);
      expect(reply.status).toBe(404);
      expect(reply.body.code).toBe('BL_ERR_ACCOUNT_NOT_FOUND');
    }
  });

  it('changes skills, queues and maxChats', async () => {
    const reply = await create(anAccountInput());
    const id = String(reply.body.id);
    const patched = await call(
      running.base,
      'PATCH',
      `/api/admin/accounts/${id}`,
      {
        skills: ['french', 'billing'],
        queues: ['sales'],
        maxChats: 5,
      },
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      skills: ['french', 'billing'],
      queues: ['sales'],
      maxChats: 5,
    });
    const bad = await call(running.base, 'PATCH', `/api/admin/accounts/${id}`, {
      maxChats: -1,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('maxChats');
  });
});

describe('ending sessions', () => {
  it('ends every live session when an account is disabled', async () => {
    const me = await aLoggedInAccount(running.base);
    const second = await call(
      running.base,
      'POST',
      '/api/auth/login',
      { username: me.input.username, password: me.input.password },
      {},
    );
    const tokens = [me.token, String(second.body.token)];
    await call(running.base, 'PATCH', `/api/admin/accounts/${me.id}`, {
      disabled: true,
    });
    for (const token of tokens) {
      const reply = await call(
        running.base,
        'GET',
        '/api/auth/me',
        undefined,
        bearer(token),
      );
      expect(reply.status).toBe(401);
    }
    const sessionKeys = (await allKeys(running.redis.client)).filter(
      (key) => key.includes(me.id) && key.endsWith(':sessions'),
    );
    expect(sessionKeys).toEqual([]);
  });

  it('ends them when the password changes, and the new one logs in', async () => {
    const me = await aLoggedInAccount(running.base);
    const password = aPassword();
    const changed = await call(
      running.base,
      'PUT',
      `/api/admin/accounts/${me.id}/password`,
      { password },
    );
    expect(changed.status).toBe(204);
    const old = await call(
      running.base,
      'GET',
      '/api/auth/me',
      undefined,
      bearer(me.token),
    );
    expect(old.status).toBe(401);
    const login = await call(
      running.base,
      'POST',
      '/api/auth/login',
      { username: me.input.username, password },
      {},
    );
    expect(login.status).toBe(200);
  });

  it('deletes an account with its sessions, SIP user and username', async () => {
    const sipUser = aUsername('phone');
    const me = await aLoggedInAccount(running.base, {
      sipUser,
      sipPassword: aPassword(),
    });
    const deleted = await call(
      running.base,
      'DELETE',
      `/api/admin/accounts/${me.id}`,
    );
    expect(deleted.status).toBe(204);
    const session = await call(
      running.base,
      'GET',
      '/api/auth/me',
      undefined,
      bearer(me.token),
    );
    expect(session.status).toBe(401);
    const keys = await allKeys(running.redis.client);
    expect(keys.filter((key) => key.includes(me.id))).toEqual([]);
    expect(keys).not.toContain(`sipuser:${sipUser}`);
    const again = await create(anAccountInput({ username: me.input.username }));
    expect(again.status).toBe(201);
  });
});

describe('when an admin acts on their own account', () => {
  it('cannot demote, disable or delete it; another admin can', async () => {
    const admin = await aLoggedInAccount(running.base, { role: 'admin' });
    const path = `/api/admin/accounts/${admin.id}`;
    const as = bearer(admin.token);
    for (const [method, body] of [
      ['PATCH', { role: 'supervisor' }],
      ['PATCH', { disabled: true }],
      ['DELETE', undefined],
    ] as const) {
      const reply = await call(running.base, method, path, body, as);
      expect(reply.status).toBe(403);
      expect(reply.body.code).toBe('BL_ERR_FORBIDDEN');
    }
    const renamed = await call(
      running.base,
      'PATCH',
      path,
      { displayName: 'Grace' },
      as,
    );
    expect(renamed.status).toBe(200);
    const other = await aLoggedInAccount(running.base, { role: 'admin' });
    const demoted = await call(
      running.base,
      'PATCH',
      path,
      { role: 'agent' },
      bearer(other.token),
    );
    expect(demoted.status).toBe(200);
    // The demotion takes effect on the live session at once.
    const list = await call(
      running.base,
      'GET',
      '/api/admin/accounts',
      undefined,
      as,
    );
    expect(list.status).toBe(403);
  });
});

describe('when the routing core listens for changes', () => {
  let redis: TestRedis;
  const seen: Account[] = [];
  let accounts: AccountStore;

  beforeAll(async () => {
    redis = await startTestRedis();
    accounts = new AccountStore(redis.client, {
      sessions: new SessionStore(redis.client, { ttlSeconds: 60 }),
      sipRealm: 'bridgeline',
      logger: silentLogger,
      onChange: (account) => {
        seen.push(account);
      },
    });
  });
  afterAll(() => redis.stop());

  it('is told of each create, update, disable and delete', async () => {
    const account = await accounts.create(anAccountInput());
    await accounts.update(account.id, { skills: ['french'], maxChats: 1 });
    await accounts.update(account.id, { disabled: true });
    await accounts.delete(account.id);
    expect(seen.map((a) => [a.skills, a.maxChats, a.disabled])).toEqual([
      [['billing'], 3, false],
      [['french'], 1, false],
      [['french'], 1, true],
      [['french'], 1, true],
    ]);
    expect(seen.every((a) => !('passwordHash' in a))).toBe(true);
  });

  it('still writes the change when the listener fails', async () => {
    const failing = new AccountStore(redis.client, {
      sessions: new SessionStore(redis.client, { ttlSeconds: 60 }),
      sipRealm: 'bridgeline',
      logger: silentLogger,
      onChange: () => Promise.reject(new Error('routing core away')),
    });
    const account = await failing.create(anAccountInput());
    expect((await failing.get(account.id)).username).toBe(account.username);
  });
});
