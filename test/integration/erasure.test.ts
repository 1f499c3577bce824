import { aCustomer } from '../support/factories';
import { allKeys, storeOnOwnRedis } from '../support/redis';

const own = storeOnOwnRedis();

async function aCustomerWithHistory() {
  const made = await aCustomer(own.store);
  const chatId = `visitor-${made.customer.id}`;
  await own.store.linkIdentity(made.customer.id, {
    kind: 'chat',
    value: chatId,
    verification: 'self_claimed',
    source: 'chat-form',
  });
  const conversation = await own.store.openConversation(made.customer.id, {
    subject: 'Broken handset',
    channel: 'voice',
  });
  for (const text of ['hello', 'is anyone there', 'thanks']) {
    await own.store.appendEvent(made.customer.id, {
      type: 'chat.message',
      direction: 'inbound',
      text,
      conversationId: conversation.id,
    });
  }
  return { ...made, chatId, conversation };
}

describe('erasure', () => {
  it('leaves no key behind and returns a receipt of what went', async () => {
    const other = await aCustomerWithHistory();
    const keysBefore = await allKeys(own.redis.client);
    const person = await aCustomerWithHistory();
    const theirs = (await allKeys(own.redis.client)).filter(
      (key) => !keysBefore.includes(key),
    );

    const receipt = await own.store.erase(person.customer.id);

    const left = await allKeys(own.redis.client);
    expect(left).toEqual(keysBefore);
    expect(left.filter((key) => key.includes(person.customer.id))).toEqual([]);
    expect(receipt.keys).toEqual(theirs.sort());
    expect(receipt).toMatchObject({
      customerId: person.customer.id,
      timelineEvents: 3,
      conversations: 1,
    });
    expect(receipt.identities).toEqual(
      expect.arrayContaining([
        { kind: 'phone', value: person.phone },
        { kind: 'email', value: person.email },
        { kind: 'chat', value: person.chatId },
      ]),
    );

    // The other customer is untouched.
    const card = await own.store.cardByIdentity({
      kind: 'phone',
      value: other.phone,
    });
    expect(card?.timeline).toHaveLength(3);
  });

  it('also removes keys other modules filed under the customer', async () => {
    const person = await aCustomerWithHistory();
    const stray = `callstate:{${person.customer.id}}:CA123`;
    await own.redis.client.set(stray, 'in progress');

    const receipt = await own.store.erase(person.customer.id);

    expect(receipt.keys).toContain(stray);
    expect(await own.redis.client.exists(stray)).toBe(0);
  });

  it('finishes an erasure that stopped half-way', async () => {
    const person = await aCustomerWithHistory();
    // As if a first run had deleted the profile and then died.
    await own.redis.client.del(`customer:{${person.customer.id}}`);

    const receipt = await own.store.erase(person.customer.id);

    expect(receipt.timelineEvents).toBe(3);
    const left = await allKeys(own.redis.client);
    expect(left.filter((key) => key.includes(person.customer.id))).toEqual([]);
    expect(left).not.toContain(`identity:phone:${person.phone}`);
  });

  it('answers not found for someone never stored, changing nothing', async () => {
    const before = await allKeys(own.redis.client);
    await expect(own.store.erase('cNobodyAtAll')).rejects.toMatchObject({
      code: 'BL_ERR_CUSTOMER_NOT_FOUND',
    });
    expect(await allKeys(own.redis.client)).toEqual(before);
  });
});
