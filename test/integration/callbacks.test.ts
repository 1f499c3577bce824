import { callbackIdOf } from '../../src/escalation/callback-line';
import { bridgelineOnOwnRedis } from '../support/app';
import {
  aChatCustomer,
  callbackStatuses,
  callTo,
  until,
} from '../support/callbacks';
import { postWebhook, spoken, validVerbs } from '../support/jambonz';
import { JambonzApiStandIn, playCall } from '../support/jambonz-api';
import { allKeys } from '../support/redis';

/**
 * Digital to callback through a running bridgeline: a chat customer asks
 * for a call, bridgeline places it through the jambonz stand-in, and the
 * test plays jambonz: it posts the call hook and the status hook back,
 * signed, with the call's tag, as jambonz would.
 */

const secret = 'jambonz-webhook-secret-for-callback-tests';
const ourNumber = '+16285550100';

let standIn: JambonzApiStandIn;
const env: Record<string, string> = {
  JAMBONZ_WEBHOOK_SECRET: secret,
  SMS_FROM_NUMBER: ourNumber,
  CALLBACK_CONCURRENCY: '1',
};
beforeAll(async () => {
  standIn = await JambonzApiStandIn.start();
  Object.assign(env, standIn.env);
});
afterAll(() => standIn.close());

const running = bridgelineOnOwnRedis(env);

/** The stand-in got the call and bridgeline has recorded it as placed. */
async function placedCall(customer: {
  customerId: string;
  conversationId: string;
  phone: string;
}) {
  const call = await standIn.next(callTo(customer.phone));
  await until(async () =>
    (
      await callbackStatuses(
        running.app.store,
        customer.customerId,
        customer.conversationId,
      )
    ).includes('placed'),
  );
  return call;
}

function callbacks() {
  const service = running.app.channels.callbacks;
  if (!service) {
    throw new Error('callbacks are not set up');
  }
  return service;
}

describe('a callback asked for in a chat', () => {
  it('is placed once, from our number, with hooks back into bridgeline', async () => {
    const customer = await aChatCustomer(running.app.store);
    const ask = {
      ...customer,
      source: 'chat' as const,
      requestKey: 'chat-message-1',
    };

    const first = await callbacks().request(ask);
    const again = await callbacks().request(ask);

    expect(first).toMatchObject({ status: 'scheduled', position: 1 });
    expect(again).toMatchObject({
      status: 'already-scheduled',
      callbackId: first.status === 'refused' ? '' : first.callbackId,
    });
    const call = await placedCall(customer);
    // PUBLIC_BASE_URL is unset: bridgeline names the port it bound.
    const hooks = `http://localhost:${running.app.port}/jambonz`;
    expect(call.body).toMatchObject({
      from: ourNumber,
      to: { type: 'phone', number: customer.phone },
      call_hook: { url: `${hooks}/call`, method: 'POST' },
      call_status_hook: {
        url: `${hooks}/status`,
        method: 'POST',
      },
      tag: { customer: customer.customerId, attempt: 1 },
    });

    await playCall(running.base, call, 'answered', secret);
    expect(
      standIn.created('Calls').filter(callTo(customer.phone)),
    ).toHaveLength(1);
  });

  it('says who is calling and names the chat before putting them through', async () => {
    const customer = await aChatCustomer(
      running.app.store,
      'the router that keeps dropping',
    );
    await callbacks().request({
      ...customer,
      source: 'chat',
      requestKey: 'chat-message-2',
    });
    const call = await placedCall(customer);

    const reply = await playCall(running.base, call, 'answered', secret);

    expect(reply?.status).toBe(200);
    const said = spoken(validVerbs(reply?.body));
    expect(said[0]).toBe(
      'Hello Ana, this is Bridgeline returning your chat about the router ' +
        'that keeps dropping.',
    );
    expect(
      await callbackStatuses(
        running.app.store,
        customer.customerId,
        customer.conversationId,
      ),
    ).toEqual(['requested', 'scheduled', 'placed', 'answered']);
  });

  it('makes one callback for two different requests in one conversation', async () => {
    const customer = await aChatCustomer(running.app.store);
    const [first, second] = await Promise.all([
      callbacks().request({
        ...customer,
        source: 'chat',
        requestKey: 'chat-button',
      }),
      callbacks().request({
        ...customer,
        source: 'sms',
        requestKey: 'sms-call-me',
      }),
    ]);

    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual(['already-scheduled', 'scheduled']);
    const ids = [first, second].map((r) =>
      r.status === 'refused' ? '' : r.callbackId,
    );
    expect(ids[0]).toBe(ids[1]);
    const call = await placedCall(customer);
    await playCall(running.base, call, 'answered', secret);
    expect(
      standIn.created('Calls').filter(callTo(customer.phone)),
    ).toHaveLength(1);
  });

  it('books the next attempt when the call goes unanswered', async () => {
    const customer = await aChatCustomer(running.app.store);
    const receipt = await callbacks().request({
      ...customer,
      source: 'chat',
      requestKey: 'chat-message-3',
    });
    const call = await placedCall(customer);

    await playCall(running.base, call, 'no-answer', secret);

    const callbackId = receipt.status === 'refused' ? '' : receipt.callbackId;
    // CALLBACK_RETRY_MINUTES from now: the second attempt waits its turn.
    await until(async () =>
      (await allKeys(running.redis.client)).includes(
        `{bl-callbacks}:callbacks:${callbackId}-2`,
      ),
    );
    expect(
      await callbackStatuses(
        running.app.store,
        customer.customerId,
        customer.conversationId,
      ),
    ).toEqual(['requested', 'scheduled', 'placed', 'no-answer']);
  });

  it('refuses a number that opted out of calls and queues nothing', async () => {
    const customer = await aChatCustomer(running.app.store, 'a refund', {
      voice: 'denied',
    });

    const receipt = await callbacks().request({
      ...customer,
      source: 'chat',
      requestKey: 'chat-message-4',
    });

    expect(receipt).toEqual({ status: 'refused', reason: 'opted-out' });
    const keys = await allKeys(running.redis.client);
    const callbackId = callbackIdOf(customer.customerId, 'chat-message-4');
    expect(keys).not.toContain(`{bl-callbacks}:callbacks:${callbackId}`);
    expect(
      keys.filter((key) => key.startsWith(`callback:{${customer.customerId}}`)),
    ).toEqual([]);
    expect(
      await callbackStatuses(
        running.app.store,
        customer.customerId,
        customer.conversationId,
      ),
    ).toEqual([]);
  });

  it('ignores an unsigned status webhook that names a callback', async () => {
    const customer = await aChatCustomer(running.app.store);
    await callbacks().request({
      ...customer,
      source: 'chat',
      requestKey: 'chat-message-5',
    });
    const call = await placedCall(customer);

    const forged = await postWebhook(running.base, '/jambonz/status', {
      call_sid: call.sid,
      direction: 'outbound',
      call_status: 'no-answer',
      customerData: call.body.tag,
    });

    expect(forged.status).toBe(401);
    expect(
      await callbackStatuses(
        running.app.store,
        customer.customerId,
        customer.conversationId,
      ),
    ).toEqual(['requested', 'scheduled', 'placed']);
  });
});
