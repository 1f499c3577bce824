import { bridgelineOnOwnRedis, testAdminToken as token } from '../support/app';
import { aPhone, anEmail } from '../support/factories';
import { allKeys } from '../support/redis';

const running = bridgelineOnOwnRedis();

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${token}` },
): Promise<Reply> {
  const response = await fetch(`${running.base}${path}`, {
    method,
    headers: {
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  };
}

async function createCustomer(phone = aPhone(), email = anEmail()) {
  const created = await call('POST', '/api/customers', {
    name: 'Grace Hopper',
    tier: 'gold',
    identities: [
      { kind: 'phone', value: phone, verification: 'carrier' },
      { kind: 'email', value: email, verification: 'otp' },
    ],
  });
  return { id: String(created.body.id), created, phone, email };
}

describe('the HTTP API', () => {
  it('reports Redis up on /healthz', async () => {
    const health = await call('GET', '/healthz', undefined, {});
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      redis: { status: 'up', mode: 'standalone' },
    });
  });

  it('serves Prometheus metrics', async () => {
    await call('GET', '/healthz', undefined, {});
    const response = await fetch(`${running.base}/metrics`);
    const text = await response.text();
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/^bridgeline_redis_up 1$/m);
    expect(text).toMatch(/bridgeline_http_request_duration_seconds_bucket/);
  });

  it('answers a customer, a chat and an email in one card by phone', async () => {
    const { id, created, phone } = await createCustomer();
    expect(created.status).toBe(201);

    const chat = await call('POST', `/api/customers/${id}/events`, {
      type: 'chat.message',
      direction: 'inbound',
      text: 'My bill doubled this month',
    });
    const email = await call('POST', `/api/customers/${id}/events`, {
      type: 'email.message',
      direction: 'inbound',
      subject: 'Bill',
      text: 'See attached',
    });
    expect([chat.status, email.status]).toEqual([201, 201]);

    const card = await call(
      'GET',
      `/api/context?phone=${encodeURIComponent(phone)}`,
    );
    expect(card.status).toBe(200);
    expect(card.body.customer).toMatchObject({ id, name: 'Grace Hopper' });
    expect(card.body.timeline).toEqual([
      expect.objectContaining({ channel: 'email', subject: 'Bill' }),
      expect.objectContaining({ channel: 'chat' }),
    ]);
  });

  it('looks up by email, chat id and customer id too', async () => {
    const { id, email } = await createCustomer();
    for (const query of [
      `email=${encodeURIComponent(email.toUpperCase())}`,
      `customerId=${id}`,
    ]) {
      const card = await call('GET', `/api/context?${query}`);
      expect(card.body.customer).toMatchObject({ id });
    }
    const unknownChat = await call('GET', '/api/context?chat=visitor-unknown');
    expect(unknownChat.status).toBe(404);
  });

  it('updates a customer found by identity with 200', async () => {
    const { id, phone } = await createCustomer();
    const updated = await call('POST', '/api/customers', {
      preferredAgent: 'agent-42',
      identities: [{ kind: 'phone', value: phone }],
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, preferredAgent: 'agent-42' });
  });

  it('opens and updates a conversation that events then join', async () => {
    const { id } = await createCustomer();
    const opened = await call('POST', `/api/customers/${id}/conversations`, {
      subject: 'Moving house',
      channel: 'voice',
    });
    expect(opened.status).toBe(201);
    const conversationId = String(opened.body.id);
    await call('POST', `/api/customers/${id}/events`, {
      type: 'sms.message',
      direction: 'outbound',
      text: 'Your new address is saved',
      conversationId,
    });
    const closed = await call(
      'PATCH',
      `/api/customers/${id}/conversations/${conversationId}`,
      { status: 'closed' },
    );
    expect(closed.body).toMatchObject({
      status: 'closed',
      channels: ['voice', 'sms'],
    });
  });

  it('unlinks an identity', async () => {
    const { id, phone } = await createCustomer();
    const path =
      `/api/customers/${id}/identities/phone/` + encodeURIComponent(phone);
    expect((await call('DELETE', path)).status).toBe(204);
    expect((await call('DELETE', path)).status).toBe(404);
    const lookup = await call('GET', `/api/context?phone=${phone}`);
    expect(lookup.status).toBe(404);
  });

  it('erases a customer and returns the receipt', async () => {
    const { id, phone } = await createCustomer();
    const erased = await call('DELETE', `/api/customers/${id}`);
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ customerId: id });
    expect(erased.body.keys).toContain(`customer:{${id}}`);
    expect((await call('GET', `/api/context?phone=${phone}`)).status).toBe(404);
    expect((await call('DELETE', `/api/customers/${id}`)).status).toBe(404);
  });

  describe('when the input is bad', () => {
    it.each([
      ['no lookup key', '/api/context', 'query'],
      ['two lookup keys', '/api/context?phone=1&email=a@b.co', 'query'],
      ['a bad phone', '/api/context?phone=12', 'phone'],
      ['a bad email', '/api/context?email=nope', 'email'],
    ])('answers 400 for %s, naming the field', async (_what, path, field) => {
      const reply = await call('GET', path);
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ field });
      expect(String(reply.body.code)).toMatch(/^BL_ERR_/);
    });

    it('names every bad field of a customer and stores nothing', async () => {
      const before = await allKeys(running.redis.client);
      const reply = await call('POST', '/api/customers', {
        name: 'x',
        preferredChannel: 'pigeon',
        identities: [
          { kind: 'phone', value: aPhone() },
          { kind: 'phone', value: '555' },
        ],
      });
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({
        code: 'BL_ERR_INVALID_INPUT',
        field: 'preferredChannel',
      });
      const phoneReply = await call('POST', '/api/customers', {
        identities: [
          { kind: 'phone', value: aPhone() },
          { kind: 'phone', value: '555' },
        ],
      });
      expect(phoneReply.body).toMatchObject({
        code: 'BL_ERR_INVALID_PHONE',
        field: 'identities.1.value',
      });
      expect(await allKeys(running.redis.client)).toEqual(before);
    });

    it('answers 409 for an identity someone else owns', async () => {
      const first = await createCustomer();
      const second = await createCustomer();
      const reply = await call('POST', '/api/customers', {
        id: second.id,
        identities: [
          { kind: 'email', value: anEmail() },
          { kind: 'phone', value: first.phone },
        ],
      });
      expect(reply.status).toBe(409);
      expect(reply.body).toMatchObject({
        code: 'BL_ERR_IDENTITY_TAKEN',
        field: 'identities.1.value',
      });
    });

    it('answers 400 for broken JSON and 415 for another media type', async () => {
      const broken = await call('POST', '/api/customers', '{"name":');
      expect(broken.status).toBe(400);
      expect(broken.body).toMatchObject({ field: '(body)' });
      const response = await fetch(`${running.base}/api/customers`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'text/plain',
        },
        body: 'name=x',
      });
      expect(response.status).toBe(415);
    });

    it('answers 404 for events of an unknown customer', async () => {
      const reply = await call('POST', '/api/customers/cNobody/events', {
        type: 'agent.note',
        agentId: 'a1',
        text: 'hi',
      });
      expect(reply.status).toBe(404);
      expect(reply.body).toMatchObject({ code: 'BL_ERR_CUSTOMER_NOT_FOUND' });
    });
  });

  describe('without the admin token', () => {
    it.each([
      ['no header', {}],
      ['a wrong token', { authorization: 'Bearer not-the-token' }],
      ['another scheme', { authorization: `Basic ${token}` }],
    ])('answers 401 to %s', async (_what, headers) => {
      const path = '/api/context?customerId=c1';
      const reply = await call('GET', path, undefined, headers);
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ code: 'BL_ERR_UNAUTHORIZED' });
    });
  });

  it('echoes a sane request id and replaces a hostile one', async () => {
    const kept = await call('GET', '/healthz', undefined, {
      'x-request-id': 'trace-123',
    });
    expect(kept.headers.get('x-request-id')).toBe('trace-123');
    const replaced = await call('GET', '/healthz', undefined, {
      'x-request-id': '"}, "level": 60, "msg": "forged',
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
