import { allKeys } from '../support/redis';
import { bridgelineOnOwnRedis } from '../support/app';
import {
  aLoggedInAccount,
  anAccountInput,
  bearer,
  call,
} from '../support/accounts';
import { until } from '../support/callbacks';

const running = bridgelineOnOwnRedis();

async function forgetFailures() {
  const keys = (await allKeys(running.redis.client)).filter((key) =>
    key.startsWith('loginfail:'),
  );
  if (keys.length > 0) {
    await running.redis.client.del(...keys);
  }
}

async function created(overrides = {}) {
  const input = anAccountInput(overrides);
  const reply = await call(running.base, 'POST', '/api/admin/accounts', input);
  expect(reply.status).toBe(201);
  return input;
}

function login(username: string, password: string) {
  return call(
    running.base,
    'POST',
    '/api/auth/login',
    { username, password },
    {},
  );
}

describe('logging in', () => {
  afterEach(forgetFailures);

  it('gives a session as a token and as a strict, HttpOnly cookie', async () => {
    const input = await created();
    const reply = await login(input.username.toUpperCase(), input.password);
    expect(reply.status).toBe(200);
    expect(reply.body.account).toMatchObject({
      username: input.username,
      role: 'agent',
    });
    expect(reply.body.account).not.toHaveProperty('passwordHash');
    expect(reply.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = reply.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`bl_session=${String(reply.body.token)}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=28800/);
    // http://127.0.0.1: not https, so not Secure.
    expect(cookie).not.toMatch(/Secure/);
  });

  it('keeps no token in Redis, only its digest', async () => {
    const me = await aLoggedInAccount(running.base);
    const keys = await allKeys(running.redis.client);
    expect(keys.some((key) => key.includes(me.token))).toBe(false);
    expect(keys.filter((key) => key.startsWith('session:'))).not.toHaveLength(
      0,
    );
  });

  it('accepts the session as a bearer token and as the cookie', async () => {
    const me = await aLoggedInAccount(running.base);
    const byBearer = await call(
      running.base,
      'GET',
      '/api/auth/me',
      undefined,
      bearer(me.token),
    );
    expect(byBearer.status).toBe(200);
    expect(byBearer.body.principal).toEqual({
      kind: 'account',
      accountId: me.id,
      role: 'agent',
      displayName: 'Ada Lovelace',
    });
    const byCookie = await call(
      running.base,
      'GET',
      '/api/auth/me',
      undefined,
      {
        cookie: me.cookie,
      },
    );
    expect(byCookie.status).toBe(200);
  });

  it('answers an unknown user and a wrong password alike', async () => {
    const input = await created();
    const wrong = await login(input.username, 'not the password at all');
    const unknown = await login('nobody.here', input.password);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.code).toBe('BL_ERR_LOGIN_FAILED');
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a disabled account with the same answer', async () => {
    const me = await aLoggedInAccount(running.base);
    await call(running.base, 'PATCH', `/api/admin/accounts/${me.id}`, {
      disabled: true,
    });
    const reply = await login(me.input.username, me.input.password);
    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe('BL_ERR_LOGIN_FAILED');
  });

  it('answers 400 naming the field for a login without a password', async () => {
    const reply = await call(
      running.base,
      'POST',
      '/api/auth/login',
      { username: 'someone' },
      {},
    );
    expect(reply.status).toBe(400);
    expect(reply.body.field).toBe('password');
  });

  it('answers 401 to /api without a session, and to a made-up one', async () => {
    const none = await call(running.base, 'GET', '/api/auth/me', undefined, {});
    const madeUp = await call(
      running.base,
      'GET',
      '/api/auth/me',
      undefined,
      bearer('x'.repeat(43)),
    );
    expect(none.status).toBe(401);
    expect(madeUp.status).toBe(401);
    expect(madeUp.body.code).toBe('BL_ERR_UNAUTHORIZED');
  });
});

describe('when logins keep failing', () => {
  afterEach(forgetFailures);

  it('refuses the 6th in 15 minutes with 429, even with the right password', async () => {
    const input = await created();
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const reply = await login(input.username, `wrong password ${attempt}`);
      expect(reply.status).toBe(401);
    }
    const sixth = await login(input.username, input.password);
    expect(sixth.status).toBe(429);
    expect(sixth.body.code).toBe('BL_ERR_LOGIN_RATE_LIMITED');
  });

  it('counts failures per source IP across usernames', async () => {
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await login(`nobody.${attempt}`, 'wrong password here');
    }
    const input = await created();
    const reply = await login(input.username, input.password);
    expect(reply.status).toBe(429);
  });

  it('forgives the username once a login succeeds', async () => {
    const input = await created();
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      await login(input.username, `wrong password ${attempt}`);
    }
    expect((await login(input.username, input.password)).status).toBe(200);
    const userKeys = (await allKeys(running.redis.client)).filter((key) =>
      key.startsWith('loginfail:user:'),
    );
    expect(userKeys).toEqual([]);
    // Every count expires with its 15-minute window.
    const ipKey = (await allKeys(running.redis.client)).find((key) =>
      key.startsWith('loginfail:ip:'),
    );
    const ttl = await running.redis.client.ttl(ipKey ?? '');
    expect(ttl).toBeGreaterThan(800);
    expect(ttl).toBeLessThanOrEqual(900);
  });
});

describe('when logins come through a reverse proxy', () => {
  // The test's requests reach the app from 127.0.0.1, the proxy here.
  const proxied = bridgelineOnOwnRedis({ TRUSTED_PROXIES: '127.0.0.1' });

  function loginFrom(
    base: string,
    client: string,
    username: string,
    password: string,
  ) {
    return call(
      base,
      'POST',
      '/api/auth/login',
      { username, password },
      { 'x-forwarded-for': client },
    );
  }

  it('counts failures per client the trusted proxy names', async () => {
    const input = anAccountInput();
    await call(proxied.base, 'POST', '/api/admin/accounts', input);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await loginFrom(proxied.base, '203.0.113.7', `nobody.${attempt}`, 'no');
    }

    const rightPasswordFrom = (client: string) =>
      loginFrom(proxied.base, client, input.username, input.password);
    expect((await rightPasswordFrom('203.0.113.7')).status).toBe(429);
    // A colleague behind the same proxy is not locked out with the guesser.
    expect((await rightPasswordFrom('198.51.100.2')).status).toBe(200);
  });

  it('ignores X-Forwarded-For from a peer that is no trusted proxy', async () => {
    const input = await created();
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await loginFrom(running.base, `203.0.113.${attempt}`, 'nobody', 'no');
    }
    const reply = await loginFrom(
      running.base,
      '198.51.100.2',
      input.username,
      input.password,
    );
    expect(reply.status).toBe(429);
    await forgetFailures();
  });
});

describe('logging out', () => {
  it('ends the session and clears the cookie', async () => {
    const me = await aLoggedInAccount(running.base);
    const out = await call(
      running.base,
      'POST',
      '/api/auth/logout',
      undefined,
      { cookie: me.cookie },
    );
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^bl_session=; Max-Age=0/);
    const after = await call(
      running.base,
      'GET',
      '/api/auth/me',
      undefined,
      bearer(me.token),
    );
    expect(after.status).toBe(401);
  });
});

describe('when a session outlives SESSION_HOURS', () => {
  // 0.0003 hours: a one-second session.
  const short = bridgelineOnOwnRedis({ SESSION_HOURS: '0.0003' });

  it('is refused once it expires', async () => {
    const me = await aLoggedInAccount(short.base);
    const me1 = () =>
      call(short.base, 'GET', '/api/auth/me', undefined, bearer(me.token));
    expect((await me1()).status).toBe(200);
    await until(async () => (await me1()).status === 401, 5_000);
  });
});

describe('when PUBLIC_BASE_URL is https', () => {
  const secure = bridgelineOnOwnRedis({
    PUBLIC_BASE_URL: 'https://bl.example.com',
  });

  it('marks the session cookie Secure', async () => {
    const input = anAccountInput();
    await call(secure.base, 'POST', '/api/admin/accounts', input);
    const reply = await call(
      secure.base,
      'POST',
      '/api/auth/login',
      { username: input.username, password: input.password },
      {},
    );
    expect(reply.headers.get('set-cookie')).toMatch(/; Secure$/);
  });
});
