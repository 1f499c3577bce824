import { computeHa1 } from '../../src/voice/sip/digest';
import {
  findSipCredentials,
  removeSipCredentials,
  setSipCredentials,
} from '../../src/voice/sip/credentials';
import { sipKeys } from '../../src/voice/sip/keys';
import { NonceStore } from '../../src/voice/sip/nonces';
import { RegistrationStore } from '../../src/voice/sip/registrations';
import { startTestRedis, type TestRedis } from '../support/redis';

let redis: TestRedis;
let sequence = 0;
const anAgent = () => `agent-${String((sequence += 1))}`;

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(() => redis.stop());

describe('digest nonces in Redis', () => {
  it('accepts each nonce count once and refuses a replay', async () => {
    const nonces = new NonceStore(redis.client, 60);
    const nonce = await nonces.issue();
    expect(await nonces.use(nonce, 1)).toBe('fresh');
    expect(await nonces.use(nonce, 1)).toBe('replayed');
    expect(await nonces.use(nonce, 2)).toBe('fresh');
    expect(await nonces.use(nonce, 2)).toBe('replayed');
  });

  it('accepts a nonce without qop exactly once', async () => {
    const nonces = new NonceStore(redis.client, 60);
    const nonce = await nonces.issue();
    expect(await nonces.use(nonce, undefined)).toBe('fresh');
    expect(await nonces.use(nonce, undefined)).toBe('stale');
  });

  it('calls a nonce it never issued, or one that expired, stale', async () => {
    const nonces = new NonceStore(redis.client, 60);
    expect(await nonces.use('0'.repeat(32), 1)).toBe('stale');
    expect(await nonces.use('not-even-hex', 1)).toBe('stale');
    const nonce = await nonces.issue();
    // Expiry is Redis's: make it happen now rather than wait a minute.
    await redis.client.pexpire(sipKeys.nonce(nonce), 1);
    await waitUntil(
      async () => (await redis.client.exists(sipKeys.nonce(nonce))) === 0,
    );
    expect(await nonces.use(nonce, 1)).toBe('stale');
  });

  it('gives each nonce the configured lifetime', async () => {
    const nonce = await new NonceStore(redis.client, 45).issue();
    const ttl = await redis.client.ttl(sipKeys.nonce(nonce));
    expect(ttl).toBeGreaterThan(40);
    expect(ttl).toBeLessThanOrEqual(45);
  });
});

describe('softphone credentials', () => {
  it('stores HA1 for both algorithms and never the password', async () => {
    const agentId = anAgent();
    await setSipCredentials(redis.client, {
      user: `${agentId}-phone`,
      agentId,
      realm: 'bridgeline',
      password: 'correct horse',
    });
    const stored = await redis.client.hgetall(sipKeys.user(`${agentId}-phone`));
    expect(JSON.stringify(stored)).not.toContain('correct horse');
    expect(
      await findSipCredentials(redis.client, `${agentId}-phone`, 'bridgeline'),
    ).toEqual({
      agentId,
      realm: 'bridgeline',
      ha1: {
        MD5: computeHa1(
          'MD5',
          `${agentId}-phone`,
          'bridgeline',
          'correct horse',
        ),
        'SHA-256': computeHa1(
          'SHA-256',
          `${agentId}-phone`,
          'bridgeline',
          'correct horse',
        ),
      },
    });
  });

  it('finds nothing in another realm, for an unknown or removed user', async () => {
    const agentId = anAgent();
    const user = `${agentId}-phone`;
    await setSipCredentials(redis.client, {
      user,
      agentId,
      realm: 'bridgeline',
      password: 'correct horse',
    });
    expect(
      await findSipCredentials(redis.client, user, 'other'),
    ).toBeUndefined();
    expect(
      await findSipCredentials(redis.client, 'nobody', 'bridgeline'),
    ).toBeUndefined();
    await removeSipCredentials(redis.client, user);
    expect(
      await findSipCredentials(redis.client, user, 'bridgeline'),
    ).toBeUndefined();
  });

  it('refuses a short password and a user name with braces', async () => {
    await expect(
      setSipCredentials(redis.client, {
        user: 'agent',
        agentId: 'a1',
        realm: 'bridgeline',
        password: 'short',
      }),
    ).rejects.toMatchObject({
      code: 'BL_ERR_INVALID_INPUT',
      field: 'password',
    });
    await expect(
      setSipCredentials(redis.client, {
        user: 'agent{1}',
        agentId: 'a1',
        realm: 'bridgeline',
        password: 'long enough',
      }),
    ).rejects.toMatchObject({ field: 'user' });
  });
});

describe('registrations and presence', () => {
  const binding = {
    user: 'phone7',
    contact: '<sip:agent7@10.0.0.7:5060>',
    source: 'tcp:10.0.0.7:5060',
    userAgent: 'Zoiper',
  };

  it('lets any instance reach a registered, available agent', async () => {
    const agentId = anAgent();
    await new RegistrationStore(redis.client).save(agentId, binding, 300);
    const elsewhere = new RegistrationStore(redis.client);
    expect(await elsewhere.reach(agentId)).toEqual({
      agentId,
      contact: binding.contact,
      presence: 'available',
    });
    const ttl = await redis.client.ttl(sipKeys.registration(agentId));
    expect(ttl).toBeGreaterThan(290);
  });

  it('reports the presence the agent side set', async () => {
    const agentId = anAgent();
    const registrations = new RegistrationStore(redis.client);
    await registrations.save(agentId, binding, 300);
    await registrations.setPresence(agentId, 'busy');
    expect((await registrations.reach(agentId)).presence).toBe('busy');
    await redis.client.hset(sipKeys.presence(agentId), 'state', 'on-fire');
    expect((await registrations.reach(agentId)).presence).toBe('away');
  });

  it('forgets a registration once it has expired', async () => {
    const agentId = anAgent();
    let now = Date.now();
    const registrations = new RegistrationStore(redis.client, () => now);
    await registrations.save(agentId, binding, 60);
    now += 61_000;
    expect(await registrations.find(agentId)).toBeUndefined();
    expect((await registrations.reach(agentId)).contact).toBeUndefined();
  });

  it('unregisters only the binding of the same user', async () => {
    const agentId = anAgent();
    const registrations = new RegistrationStore(redis.client);
    await registrations.save(agentId, binding, 300);
    await registrations.remove(agentId, 'someone-else');
    expect(await registrations.find(agentId)).toBeDefined();
    await registrations.remove(agentId, binding.user);
    expect(await registrations.find(agentId)).toBeUndefined();
  });
});

async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await check()) {
      return;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition never held');
}
