import type { Callbacks } from '../../src/escalation/callback-setup';
import {
  aChatCustomer,
  callbackConfig,
  callbacksOn,
  callbackStatuses,
  callTo,
  finalStatus,
  queueOn,
  RecordingNotifier,
  until,
  withTimings,
} from '../support/callbacks';
import { JambonzApiStandIn } from '../support/jambonz-api';
import { silentLogger, startTestRedis, type TestRedis } from '../support/redis';
import { ContextStore } from '../../src/context/store';
import { storeOptions } from '../support/factories';

/**
 * The callback line on its own: order, business hours, retries and the
 * hourly call limit, with the worker placing calls at the jambonz stand-in
 * and each call's outcome reported as its status webhook would.
 */

let redis: TestRedis;
let store: ContextStore;
let standIn: JambonzApiStandIn;
const running: Callbacks[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  store = new ContextStore(redis.client, storeOptions);
  standIn = await JambonzApiStandIn.start();
});
afterEach(async () => {
  for (const callbacks of running.splice(0)) {
    await callbacks.close();
  }
});
afterAll(async () => {
  await standIn.close();
  await redis.stop();
});

function line(
  env: Record<string, string> = {},
  extra: Parameters<typeof callbacksOn>[3] = {},
  timings: Parameters<typeof withTimings>[1] = {},
): Callbacks {
  const config = withTimings(
    callbackConfig(redis.server.url, { ...standIn.env, ...env }),
    timings,
  );
  const callbacks = callbacksOn(redis.client, store, config, extra);
  running.push(callbacks);
  return callbacks;
}

describe('the callback line', () => {
  it('calls an earlier joiner first, whatever order they asked in', async () => {
    const asking = line({}, { work: false });
    const minute = 60_000;
    const now = Date.now();
    const late = await aChatCustomer(store);
    const early = await aChatCustomer(store);
    const middle = await aChatCustomer(store);

    const receipts = [
      await asking.service.request({
        ...late,
        source: 'chat',
        requestKey: 'chat-late',
        joinedAt: now,
      }),
      await asking.service.request({
        ...early,
        source: 'sms',
        requestKey: 'sms-early',
        joinedAt: now - 10 * minute,
      }),
      await asking.service.request({
        ...middle,
        source: 'ivr',
        requestKey: 'call-middle',
        joinedAt: now - 5 * minute,
      }),
    ];
    expect(receipts.map((receipt) => receipt.status)).toEqual([
      'scheduled',
      'scheduled',
      'scheduled',
    ]);
    expect(
      receipts.map((receipt) =>
        receipt.status === 'refused' ? 0 : receipt.position,
      ),
    ).toEqual([1, 1, 2]);

    await line().start();
    await standIn.next(callTo(late.phone));
    const order = standIn
      .created('Calls')
      .map((request) => (request.body.to as { number: string }).number)
      .filter((phone) => [late, early, middle].some((c) => c.phone === phone));
    expect(order).toEqual([early.phone, middle.phone, late.phone]);
  });

  it('tells the customer their place and the wait it expects', async () => {
    const notifier = new RecordingNotifier();
    const asking = line(
      { CALLBACK_HANDLE_SECONDS: '240' },
      { work: false, notifier },
    );
    const customer = await aChatCustomer(store);

    const receipt = await asking.service.request({
      ...customer,
      source: 'chat',
      requestKey: 'chat-notice',
    });

    expect(receipt).toMatchObject({ status: 'scheduled' });
    const position = receipt.status === 'refused' ? 0 : receipt.position;
    expect(notifier.to(customer.conversationId)).toEqual([
      `We'll call you back. You are number ${position}; we expect to call ` +
        `you in about ${position * 4} minutes.`,
    ]);
  });

  it('places nothing outside business hours, and calls once they open', async () => {
    // Monday 07:00 UTC; the line opens at 09:00.
    const clock = { now: new Date('2026-12-07T07:00:00Z') };
    const callbacks = line(
      { CALLBACK_HOURS: 'mon-fri 09:00-17:00', CALLBACK_TIMEZONE: 'UTC' },
      { now: () => clock.now, closedRecheckMs: 50 },
    );
    await callbacks.start();
    const view = queueOn(redis.client);
    const { queue } = view;
    const customer = await aChatCustomer(store);

    const receipt = await callbacks.service.request({
      ...customer,
      source: 'chat',
      requestKey: 'chat-before-hours',
    });
    const callbackId = receipt.status === 'refused' ? '' : receipt.callbackId;
    expect(receipt).toMatchObject({ status: 'scheduled' });
    expect(
      receipt.status === 'refused' ? 0 : receipt.estimatedWaitSeconds,
    ).toBeGreaterThanOrEqual(2 * 3600);

    // The worker took the job, saw the line closed and put it back.
    await until(
      async () => (await queue.getJobState(callbackId)) === 'delayed',
    );
    expect(standIn.created('Calls').filter(callTo(customer.phone))).toEqual([]);

    clock.now = new Date('2026-12-07T09:00:00Z');
    await standIn.next(callTo(customer.phone));
    await view.close();
  });

  it('retries a missed callback later each time, then says so in writing', async () => {
    const notifier = new RecordingNotifier();
    const callbacks = line({}, { notifier }, { retryMs: 40, maxAttempts: 3 });
    await callbacks.start();
    const customer = await aChatCustomer(store);

    await callbacks.service.request({
      ...customer,
      source: 'chat',
      requestKey: 'chat-missed',
    });
    for (const [attempt, outcome] of [
      [1, 'no-answer'],
      [2, 'busy'],
      [3, 'no-answer'],
    ] as const) {
      await until(
        () =>
          standIn.created('Calls').filter(callTo(customer.phone)).length >=
          attempt,
      );
      const call = standIn.created('Calls').filter(callTo(customer.phone))[
        attempt - 1
      ];
      if (!call) {
        throw new Error(`attempt ${attempt} was not placed`);
      }
      expect(call.body.tag).toMatchObject({ attempt });
      await callbacks.outcomes.ended(finalStatus(call, outcome), silentLogger);
    }

    const notices = notifier.to(customer.conversationId);
    expect(notices.at(-1)).toMatch(/tried to call you back 3 times/);
    expect(
      standIn.created('Calls').filter(callTo(customer.phone)),
    ).toHaveLength(3);
    expect(
      await callbackStatuses(
        store,
        customer.customerId,
        customer.conversationId,
      ),
    ).toEqual([
      'requested',
      'scheduled',
      'placed',
      'no-answer',
      'placed',
      'no-answer',
      'placed',
      'no-answer',
      'failed',
    ]);
  });

  it('stops at the hourly call limit of a number and tells the customer', async () => {
    const notifier = new RecordingNotifier();
    const callbacks = line(
      { CALLS_PER_NUMBER_PER_HOUR: '1' },
      { notifier },
      { retryMs: 20, maxAttempts: 3 },
    );
    await callbacks.start();
    const customer = await aChatCustomer(store);

    await callbacks.service.request({
      ...customer,
      source: 'chat',
      requestKey: 'chat-limited',
    });
    const first = await standIn.next(callTo(customer.phone));
    await callbacks.outcomes.ended(
      finalStatus(first, 'no-answer'),
      silentLogger,
    );

    await until(() => notifier.to(customer.conversationId).length >= 2);
    expect(notifier.to(customer.conversationId).at(-1)).toMatch(
      /as many calls from us as we allow in an hour/,
    );
    expect(
      standIn.created('Calls').filter(callTo(customer.phone)),
    ).toHaveLength(1);
    expect(
      (
        await callbackStatuses(
          store,
          customer.customerId,
          customer.conversationId,
        )
      ).at(-1),
    ).toBe('failed');
  });
});
