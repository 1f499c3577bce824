import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { ContextStore } from '../../src/context/store';
import { callbackKeys } from '../../src/escalation/callback-line';
import type { Callbacks } from '../../src/escalation/callback-setup';
import {
  aChatCustomer,
  callbackConfig,
  callbacksOn,
  callbackStatuses,
  callTo,
  finalStatus,
  queueOn,
  until,
} from '../support/callbacks';
import { storeOptions } from '../support/factories';
import { JambonzApiStandIn } from '../support/jambonz-api';
import { silentLogger, startTestRedis, type TestRedis } from '../support/redis';

/**
 * A worker killed in the middle of a callback: after it marked the attempt
 * and sent the REST request, before jambonz answered. The next worker
 * must not call again, and the job must complete.
 */

const root = path.join(__dirname, '..', '..');

let redis: TestRedis;
let store: ContextStore;
let standIn: JambonzApiStandIn;
let asking: Callbacks;
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  store = new ContextStore(redis.client, storeOptions);
  standIn = await JambonzApiStandIn.start();
  // Requests only: the workers run in child processes.
  asking = callbacksOn(
    redis.client,
    store,
    callbackConfig(redis.server.url, standIn.env),
    { work: false },
  );
});
afterAll(async () => {
  for (const child of children) {
    child.kill('SIGKILL');
  }
  await asking.close();
  await standIn.close();
  await redis.stop();
});

/** A worker process; resolves once it takes jobs. */
async function startWorker(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'test', 'support', 'callback-worker-process.ts'),
    ],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: redis.server.url,
        CALLBACK_LOCK_MS: '1000',
        ...standIn.env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  child.stdout.setEncoding('utf8');
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('ready')) {
        resolve();
      }
    });
    child.once('exit', (code) => {
      reject(new Error(`the worker exited (${String(code)}) before ready`));
    });
  });
  return child;
}

describe('a callback worker killed mid-call', () => {
  it('leaves exactly one call for the attempt, and the next worker completes the job', async () => {
    const view = queueOn(redis.client);
    const customer = await aChatCustomer(store);
    standIn.holdCalls();
    const receipt = await asking.service.request({
      ...customer,
      source: 'chat',
      requestKey: 'chat-before-the-kill',
    });
    const callbackId = receipt.status === 'refused' ? '' : receipt.callbackId;

    const first = await startWorker();
    // The REST request reached jambonz, which has not answered yet.
    const call = await standIn.next(callTo(customer.phone));
    const record = callbackKeys.attempt(customer.customerId, callbackId, 1);
    expect(await redis.client.hget(record, 'state')).toBe('placing');
    first.kill('SIGKILL');
    await once(first, 'exit');
    standIn.releaseCalls();

    const second = await startWorker();
    await until(
      async () => (await view.queue.getJobState(callbackId)) === 'completed',
      20_000,
    );
    expect(
      standIn.created('Calls').filter(callTo(customer.phone)),
    ).toHaveLength(1);

    // The call the dead worker placed still reports back, and is known.
    await asking.outcomes.ended(finalStatus(call, 'answered'), silentLogger);
    expect(
      await callbackStatuses(
        store,
        customer.customerId,
        customer.conversationId,
      ),
    ).toEqual(['requested', 'scheduled', 'answered']);
    expect(await redis.client.hget(record, 'sid')).toBe(call.sid);

    second.kill('SIGTERM');
    await once(second, 'exit');
    await view.close();
  }, 40_000);
});
