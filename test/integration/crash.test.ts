import { ContextStore } from '../../src/context/store';
import { aCustomer, storeOptions } from '../support/factories';
import { startTestRedis, tempDir } from '../support/redis';

/**
 * The embedded Redis fsyncs its AOF every second. A SIGKILL of redis-server
 * mid-write must lose nothing acknowledged more than a second before it.
 */
describe('when redis-server is killed during writes', () => {
  it('keeps every event acknowledged more than a second before', async () => {
    const dataDir = await tempDir('crash');
    const before = await startTestRedis(dataDir);
    const store = new ContextStore(before.client, storeOptions);
    const { customer } = await aCustomer(store);

    const acknowledged: { id: string; at: number }[] = [];
    const started = Date.now();
    let killedAt: number | undefined;
    const writer = async (lane: number) => {
      for (let n = 0; killedAt === undefined; n += 1) {
        const entry = await store.appendEvent(customer.id, {
          type: 'chat.message',
          direction: 'inbound',
          text: `lane ${lane} message ${n}`,
        });
        acknowledged.push({ id: entry.id, at: Date.now() });
        // Write for a while first, so there is a second's worth to check.
        if (Date.now() - started > 1500) {
          killedAt = Date.now();
          process.kill(before.server.pid ?? -1, 'SIGKILL');
        }
      }
    };
    // Four writers keep commands in flight at the moment of the kill.
    await Promise.allSettled([0, 1, 2, 3].map(writer));
    before.client.disconnect();

    const after = await startTestRedis(dataDir);
    try {
      const stored = await after.client.xrange(
        `timeline:{${customer.id}}`,
        '-',
        '+',
      );
      const survived = new Set(stored.map(([id]) => id));
      const deadline = (killedAt ?? 0) - 1000;
      const mustSurvive = acknowledged.filter((w) => w.at < deadline);
      const lost = mustSurvive.filter((w) => !survived.has(w.id));

      expect(mustSurvive.length).toBeGreaterThan(100);
      expect(lost).toEqual([]);
    } finally {
      await after.stop();
    }
  });
});
