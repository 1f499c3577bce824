import { randomBytes } from 'node:crypto';
import { BridgelineError } from '../../src/errors';
import { LinkTokens } from '../../src/escalation/links';
import { aCustomer } from '../support/factories';
import { allKeys, storeOnOwnRedis } from '../support/redis';

const own = storeOnOwnRedis();
const dayMs = 24 * 60 * 60 * 1000;

function tokensAt(clock: { now: number }, secret = randomBytes(32)) {
  return new LinkTokens(own.redis.client, {
    secret,
    ttlMs: dayMs,
    now: () => clock.now,
  });
}

async function aConversation() {
  const { customer } = await aCustomer(own.store);
  const conversation = await own.store.openConversation(customer.id, {
    subject: 'Router keeps dropping',
    channel: 'voice',
  });
  return { customerId: customer.id, conversationId: conversation.id };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const err: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(err instanceof BridgelineError)) {
    throw new Error('expected a BridgelineError');
  }
  return err.code;
}

describe('escalation links', () => {
  it('open the conversation they were issued for', async () => {
    const target = await aConversation();
    const tokens = tokensAt({ now: Date.now() });

    await expect(tokens.redeem(tokens.issue(target))).resolves.toEqual(target);
  });

  it('say nothing about the person in the link itself', async () => {
    const target = await aConversation();
    const card = await own.store.cardById(target.customerId);
    const token = tokensAt({ now: Date.now() }).issue(target);
    const decoded = Buffer.from(token.split('.')[0] ?? '', 'base64url');

    for (const identity of card?.identities ?? []) {
      expect(decoded.toString()).not.toContain(identity.value);
    }
    expect(decoded.toString()).not.toContain('Ada');
  });

  it('work once: a second opening is refused', async () => {
    const tokens = tokensAt({ now: Date.now() });
    const token = tokens.issue(await aConversation());

    await tokens.redeem(token);

    expect(await refusal(tokens.redeem(token))).toBe('BL_ERR_LINK_USED');
  });

  it('let exactly one of two simultaneous openings through', async () => {
    const tokens = tokensAt({ now: Date.now() });
    const token = tokens.issue(await aConversation());

    const results = await Promise.allSettled([
      tokens.redeem(token),
      tokens.redeem(token),
    ]);

    expect(results.map((result) => result.status).sort()).toEqual([
      'fulfilled',
      'rejected',
    ]);
  });

  describe('when a link is older than its lifetime', () => {
    it('is refused as expired', async () => {
      const clock = { now: Date.now() };
      const tokens = tokensAt(clock);
      const token = tokens.issue(await aConversation());

      clock.now += dayMs + 1000;

      expect(await refusal(tokens.redeem(token))).toBe('BL_ERR_LINK_EXPIRED');
    });
  });

  describe('when a link was not made by bridgeline', () => {
    it('refuses one signed with another key', async () => {
      const target = await aConversation();
      const forged = tokensAt({ now: Date.now() }).issue(target);

      const code = await refusal(tokensAt({ now: Date.now() }).redeem(forged));

      expect(code).toBe('BL_ERR_LINK_INVALID');
    });

    it('refuses one whose conversation was changed', async () => {
      const secret = randomBytes(32);
      const tokens = tokensAt({ now: Date.now() }, secret);
      const mine = await aConversation();
      const theirs = await aConversation();
      const [, signature] = tokens.issue(mine).split('.');
      const [payload] = tokens.issue(theirs).split('.');

      const code = await refusal(tokens.redeem(`${payload}.${signature}`));

      expect(code).toBe('BL_ERR_LINK_INVALID');
    });

    it.each([
      ['an empty token', ''],
      ['a token without a signature', 'abc'],
      ['a token of three parts', 'a.b.c'],
      ['a token of other characters', '!!.??'],
      ['an oversized token', 'x'.repeat(600)],
    ])('refuses %s and stores nothing', async (_name, token) => {
      const before = await allKeys(own.redis.client);

      const code = await refusal(tokensAt({ now: Date.now() }).redeem(token));

      expect(code).toBe('BL_ERR_LINK_INVALID');
      expect(await allKeys(own.redis.client)).toEqual(before);
    });
  });

  it('leave nothing behind once the customer is erased', async () => {
    const target = await aConversation();
    const tokens = tokensAt({ now: Date.now() });
    await tokens.redeem(tokens.issue(target));

    await own.store.erase(target.customerId);

    const left = (await allKeys(own.redis.client)).filter((key) =>
      key.includes(target.customerId),
    );
    expect(left).toEqual([]);
  });
});
