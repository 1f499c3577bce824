import { CostLimits, costKey } from '../../src/channels/cost-limits';
import { allKeys, startTestRedis, type TestRedis } from '../support/redis';

describe('per-number hourly cost limits', () => {
  let redis: TestRedis;
  let nowMs = Date.parse('2026-03-02T10:00:00Z');
  let limits: CostLimits;

  beforeAll(async () => {
    redis = await startTestRedis();
    limits = new CostLimits(redis.client, { sms: 3, call: 1 }, () => nowMs);
  });
  afterAll(() => redis.stop());

  it('refuses the send after the limit within an hour', async () => {
    const number = '+14155550111';
    const taken = [];
    for (let i = 0; i < 4; i += 1) {
      taken.push(await limits.take('sms', number));
    }
    expect(taken).toEqual([true, true, true, false]);
  });

  it('counts SMS and calls and each number apart', async () => {
    expect(await limits.take('call', '+14155550112')).toBe(true);
    expect(await limits.take('call', '+14155550112')).toBe(false);
    expect(await limits.take('sms', '+14155550112')).toBe(true);
    expect(await limits.take('call', '+14155550113')).toBe(true);
  });

  it('frees a slot an hour after it was taken, not at the turn of the hour', async () => {
    const number = '+14155550114';
    nowMs = Date.parse('2026-03-02T11:50:00Z');
    expect(await limits.take('call', number)).toBe(true);
    nowMs = Date.parse('2026-03-02T12:10:00Z');
    expect(await limits.take('call', number)).toBe(false);
    nowMs = Date.parse('2026-03-02T12:50:01Z');
    expect(await limits.take('call', number)).toBe(true);
  });

  it('lets only the limit through when sends race', async () => {
    const number = '+14155550115';
    const results = await Promise.all(
      Array.from({ length: 10 }, () => limits.take('sms', number)),
    );
    expect(results.filter(Boolean)).toHaveLength(3);
  });

  it('keeps no phone number in the keyspace', async () => {
    const keys = await allKeys(redis.client);
    expect(keys).toContain(costKey('sms', '+14155550111'));
    expect(keys.join(' ')).not.toMatch(/4155550/);
  });
});
