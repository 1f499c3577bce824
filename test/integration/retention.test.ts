import { entryTimeMs } from '../../src/context/events';
import { ContextStore } from '../../src/context/store';
import { aCustomer, storeOptions } from '../support/factories';
import { startTestRedis, type TestRedis } from '../support/redis';

const DAY = 86_400_000;
const maxAge = 30 * DAY;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(() => redis.stop());

/** A store whose clock the test sets, so data ages without waiting. */
function storeAt(clock: { now: number }) {
  return new ContextStore(redis.client, {
    ...storeOptions,
    timelineMaxAgeMs: maxAge,
    now: () => clock.now,
  });
}

const note = (text: string) => ({ type: 'agent.note', agentId: 'a1', text });

/**
 * Stream ids come from the Redis server's clock. Waits for it to pass a
 * millisecond, so two events are told apart by age; a clock tick, not a
 * guess at how long some work takes.
 */
async function redisClockPast(ms: number): Promise<void> {
  for (;;) {
    const [seconds, micros] = await redis.client.time();
    if (Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) > ms) {
      return;
    }
  }
}

describe('retention', () => {
  it('trims events older than the retention age and keeps newer ones', async () => {
    const clock = { now: Date.now() };
    const store = storeAt(clock);
    const quiet = await aCustomer(store);
    const old = await store.appendEvent(quiet.customer.id, note('old'));
    await redisClockPast(entryTimeMs(old.id));
    const fresh = await store.appendEvent(quiet.customer.id, note('fresh'));

    // The day the old event turns maxAge old, the fresh one is younger.
    clock.now = entryTimeMs(fresh.id) + maxAge;
    const report = await store.sweepRetention();

    expect(report.eventsTrimmed).toBe(1);
    const card = await store.cardById(quiet.customer.id);
    expect(card?.timeline.map((event) => event.id)).toEqual([fresh.id]);
    expect(await redis.client.xlen(`timeline:{${quiet.customer.id}}`)).toBe(1);
  });

  it('never shows expired events on the card, even before a sweep', async () => {
    const clock = { now: Date.now() };
    const store = storeAt(clock);
    const { customer } = await aCustomer(store);
    const event = await store.appendEvent(customer.id, note('soon stale'));

    clock.now = entryTimeMs(event.id) + maxAge + 1;
    const card = await store.cardById(customer.id);

    expect(card?.timeline).toEqual([]);
    expect(card?.customer.id).toBe(customer.id);
  });

  it('ages out the oldest event a card shows after appends moved it', async () => {
    const clock = { now: Date.now() };
    const store = new ContextStore(redis.client, {
      ...storeOptions,
      timelineMaxAgeMs: maxAge,
      card: { events: 2, conversations: 10 },
      now: () => clock.now,
    });
    const { customer } = await aCustomer(store);
    const first = await store.appendEvent(customer.id, note('first'));
    await redisClockPast(entryTimeMs(first.id));
    const second = await store.appendEvent(customer.id, note('second'));
    // Far enough apart that "second is stale" and "third is stale" are not
    // the same instant.
    await redisClockPast(entryTimeMs(second.id) + 10);
    const third = await store.appendEvent(customer.id, note('third'));

    // The card shows third and second; second is the first to go stale.
    clock.now = entryTimeMs(second.id) + maxAge + 1;
    const card = await store.cardById(customer.id);

    expect(card?.timeline.map((event) => event.id)).toEqual([third.id]);
  });

  it('trims on write, so an active timeline never outgrows the window', async () => {
    const clock = { now: Date.now() };
    const store = storeAt(clock);
    const { customer } = await aCustomer(store);
    const first = await store.appendEvent(customer.id, note('first'));
    await redisClockPast(entryTimeMs(first.id));

    clock.now = entryTimeMs(first.id) + maxAge + 1;
    await store.appendEvent(customer.id, note('a month later'));

    expect(await redis.client.xlen(`timeline:{${customer.id}}`)).toBe(1);
  });
});
