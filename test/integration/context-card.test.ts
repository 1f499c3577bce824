import { ContextStore } from '../../src/context/store';
import { BridgelineError } from '../../src/errors';
import { aCustomer, storeOptions } from '../support/factories';
import { allKeys, storeOnOwnRedis } from '../support/redis';

const own = storeOnOwnRedis();

/**
 * The commands the store's connection sends while `work` runs, as MONITOR
 * sees them (commands run inside a script are not sent, so not counted). An
 * ECHO marks the end, so nothing waits on a timer for MONITOR to catch up.
 */
async function commandsSentDuring(work: () => Promise<unknown>) {
  const monitor = await own.redis.client.monitor();
  const sent: string[] = [];
  const marker = `end-${Date.now()}`;
  const done = new Promise<void>((resolve) => {
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (args[0] === 'echo' && args[1] === marker) {
        resolve();
      } else if (source !== 'lua') {
        sent.push(String(args[0]));
      }
    });
  });
  await work();
  await own.redis.client.echo(marker);
  await done;
  monitor.disconnect();
  return sent;
}

describe('the context card', () => {
  it('holds the conversation and events of every channel, newest first', async () => {
    const { customer, phone } = await aCustomer(own.store);
    const router = await own.store.openConversation(customer.id, {
      subject: 'Router keeps rebooting',
      channel: 'chat',
    });
    await own.store.appendEvent(customer.id, {
      type: 'chat.message',
      direction: 'inbound',
      text: 'My router reboots every hour',
      conversationId: router.id,
    });
    await own.store.appendEvent(customer.id, {
      type: 'email.message',
      direction: 'inbound',
      subject: 'Re: router',
      text: 'Logs attached',
      conversationId: router.id,
    });
    await own.store.appendEvent(customer.id, {
      type: 'sms.message',
      direction: 'outbound',
      text: 'A technician is booked for Tuesday',
      conversationId: router.id,
    });
    await own.store.appendEvent(customer.id, {
      type: 'ivr.step',
      node: 'main-menu',
      input: '2',
    });

    const card = await own.store.cardByIdentity({
      kind: 'phone',
      value: phone,
    });

    expect(card?.customer).toMatchObject({
      id: customer.id,
      name: 'Ada Lovelace',
      language: 'en-GB',
    });
    expect(card?.timeline.map((event) => event.channel)).toEqual([
      'voice',
      'sms',
      'email',
      'chat',
    ]);
    expect(card?.timeline[2]).toMatchObject({
      type: 'email.message',
      subject: 'Re: router',
      conversationId: router.id,
    });
    expect(card?.conversations.open).toEqual([
      expect.objectContaining({
        id: router.id,
        subject: 'Router keeps rebooting',
        currentChannel: 'sms',
        channels: ['chat', 'email', 'sms'],
      }),
    ]);
  });

  it('moves on every conversation a batch of events touches, by its channels in order', async () => {
    const { customer } = await aCustomer(own.store);
    const router = await own.store.openConversation(customer.id, {
      subject: 'Router keeps rebooting',
      channel: 'chat',
    });
    const bill = await own.store.openConversation(customer.id, {
      subject: 'Double charge',
      channel: 'email',
    });
    const message = (
      type: 'sms.message' | 'chat.message' | 'email.message',
      conversationId: string,
    ) => ({
      type,
      direction: 'inbound' as const,
      text: 'More on this',
      conversationId,
      ...(type === 'email.message' ? { subject: 'Re: router' } : {}),
    });
    await own.store.appendEvents(customer.id, [
      message('sms.message', router.id),
      message('chat.message', bill.id),
      message('sms.message', router.id),
      message('email.message', router.id),
      {
        type: 'agent.note',
        agentId: 'agent-7',
        text: 'Called about both',
        conversationId: bill.id,
      },
    ]);

    const card = await own.store.cardById(customer.id);
    const open = card?.conversations.open ?? [];
    expect(open.find((c) => c.id === router.id)).toMatchObject({
      currentChannel: 'email',
      channels: ['chat', 'sms', 'email'],
    });
    expect(open.find((c) => c.id === bill.id)).toMatchObject({
      currentChannel: 'chat',
      channels: ['email', 'chat'],
    });
  });

  it('shows only the latest events, up to the configured count', async () => {
    const small = new ContextStore(own.redis.client, {
      ...storeOptions,
      card: { events: 3, conversations: 10 },
    });
    const { customer } = await aCustomer(small);
    for (let i = 1; i <= 5; i += 1) {
      await small.appendEvent(customer.id, {
        type: 'chat.message',
        direction: 'inbound',
        text: `message ${i}`,
      });
    }
    const card = await small.cardById(customer.id);
    expect(
      card?.timeline.map((event) => 'text' in event && event.text),
    ).toEqual(['message 5', 'message 4', 'message 3']);
  });

  it('shows after appends the card a rebuild from the stream shows', async () => {
    const small = new ContextStore(own.redis.client, {
      ...storeOptions,
      card: { events: 3, conversations: 10 },
    });
    const { customer } = await aCustomer(small);
    const chat = await small.openConversation(customer.id, {
      subject: 'Délivery "late"',
      channel: 'chat',
    });
    const message = (text: string, conversationId?: string) => ({
      type: 'chat.message',
      direction: 'inbound',
      text,
      ...(conversationId === undefined ? {} : { conversationId }),
    });
    const batches = [
      [message('first')],
      [],
      [message('quote " and \\ backslash', chat.id), message('line\nbreak')],
      // More than the card shows, in one batch: only its newest three stay.
      [1, 2, 3, 4].map((i) => message(`batch ${i} ✓`, chat.id)),
      [message('after the batch')],
    ];
    const opening = small.prepareConversation({
      subject: 'Opened alone',
      channel: 'sms',
    });
    const appends = [
      ...batches.map((batch) => () => small.appendEvents(customer.id, batch)),
      () => small.appendEvents(customer.id, [], { opening }),
    ];
    for (const append of appends) {
      await append();
      const appended = await small.cardJsonById(customer.id);
      await small.refreshCard(customer.id);
      expect(appended).toBe(await small.cardJsonById(customer.id));
    }
    const card = await small.cardById(customer.id);
    expect(
      card?.timeline.map((event) => 'text' in event && event.text),
    ).toEqual(['after the batch', 'batch 4 ✓', 'batch 3 ✓']);
  });

  it('lists conversations by last activity and splits off closed ones', async () => {
    const { customer } = await aCustomer(own.store);
    const billing = await own.store.openConversation(customer.id, {
      subject: 'Double charge',
      channel: 'email',
    });
    const outage = await own.store.openConversation(customer.id, {
      subject: 'Outage',
      channel: 'voice',
    });
    await own.store.appendEvent(customer.id, {
      type: 'email.message',
      direction: 'outbound',
      subject: 'Refund issued',
      conversationId: billing.id,
    });
    await own.store.updateConversation(customer.id, outage.id, {
      status: 'closed',
      agentId: 'agent-7',
    });

    const card = await own.store.cardById(customer.id);
    expect(card?.conversations.open.map((c) => c.id)).toEqual([billing.id]);
    expect(card?.conversations.recent).toEqual([
      expect.objectContaining({ id: outage.id, agentId: 'agent-7' }),
    ]);
  });

  it('is looked up by identity in one command on a standalone server', async () => {
    const { phone } = await aCustomer(own.store);
    const ref = own.store.normalizeIdentity('phone', phone);
    await own.store.cardByIdentity(ref); // loads the script once

    let card: unknown;
    const sent = await commandsSentDuring(async () => {
      card = await own.store.cardByIdentity(ref);
    });

    expect(card).toBeDefined();
    expect(sent).toEqual(['evalsha']);
  });

  it('reads the caller card, the whole card less its timeline, in one command', async () => {
    const { customer, phone } = await aCustomer(own.store);
    await own.store.appendEvent(customer.id, {
      type: 'sms.message',
      direction: 'inbound',
      text: 'Is my order on its way?',
    });
    const ref = own.store.normalizeIdentity('phone', phone);
    const whole = await own.store.cardByIdentity(ref);
    await own.store.callerCardByIdentity(ref); // loads the script once

    let caller: unknown;
    const sent = await commandsSentDuring(async () => {
      caller = await own.store.callerCardByIdentity(ref);
    });

    expect(whole?.timeline).toHaveLength(1);
    const routed = {
      customer: whole?.customer,
      identities: whole?.identities,
      conversations: whole?.conversations,
    };
    expect(caller).toStrictEqual({ ...routed, matchedBy: whole?.matchedBy });
    expect(sent).toEqual(['evalsha']);
    expect(await own.store.callerCardById(customer.id)).toStrictEqual(routed);
  });

  it('finds nobody for an unknown identity or id', async () => {
    expect(
      await own.store.cardByIdentity({ kind: 'phone', value: '+14155559999' }),
    ).toBeUndefined();
    expect(await own.store.cardById('no-such-customer')).toBeUndefined();
    expect(await own.store.cardById('bad{id}')).toBeUndefined();
  });

  it('opens a conversation together with its first events', async () => {
    const { customer } = await aCustomer(own.store);
    const opening = own.store.prepareConversation({
      subject: 'Phone call',
      channel: 'voice',
    });
    await own.store.appendEvents(
      customer.id,
      [
        {
          type: 'call.started',
          direction: 'inbound',
          conversationId: opening.id,
        },
        { type: 'ivr.step', node: 'main-menu', conversationId: opening.id },
      ],
      { opening },
    );

    const card = await own.store.cardById(customer.id);
    expect(card?.conversations.open).toEqual([
      expect.objectContaining({
        id: opening.id,
        subject: 'Phone call',
        channels: ['voice'],
      }),
    ]);
    expect(card?.timeline.map((event) => event.type)).toEqual([
      'ivr.step',
      'call.started',
    ]);
  });

  it('refuses events for unknown customers or conversations, writing nothing', async () => {
    const keysBefore = await allKeys(own.redis.client);
    const unknown: unknown = await own.store
      .appendEvent('no-such-customer', {
        type: 'agent.note',
        agentId: 'a1',
        text: 'hello',
      })
      .catch((err: unknown) => err);
    expect((unknown as BridgelineError).code).toBe('BL_ERR_CUSTOMER_NOT_FOUND');

    const { customer } = await aCustomer(own.store);
    const keysWithCustomer = await allKeys(own.redis.client);
    const missing: unknown = await own.store
      .appendEvent(customer.id, {
        type: 'agent.note',
        agentId: 'a1',
        text: 'hello',
        conversationId: 'vNoSuchOne',
      })
      .catch((err: unknown) => err);
    expect(missing).toMatchObject({
      code: 'BL_ERR_CONVERSATION_NOT_FOUND',
      field: 'conversationId',
    });
    expect(keysWithCustomer.length).toBeGreaterThan(keysBefore.length);
    expect(await allKeys(own.redis.client)).toEqual(keysWithCustomer);
  });

  it('rejects a malformed event naming each bad field', async () => {
    const { customer } = await aCustomer(own.store);
    const error: unknown = await own.store
      .appendEvent(customer.id, {
        type: 'chat.message',
        direction: 'sideways',
        text: '',
      })
      .catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'BL_ERR_INVALID_INPUT' });
    const fields = (error as BridgelineError).problems.map((p) => p.field);
    expect(fields.sort()).toEqual(['direction', 'text']);
  });
});
