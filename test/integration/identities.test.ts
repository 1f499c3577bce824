import { BridgelineError } from '../../src/errors';
import { aCustomer, anEmail, aPhone } from '../support/factories';
import { storeOnOwnRedis } from '../support/redis';

const own = storeOnOwnRedis();

async function rejection(promise: Promise<unknown>): Promise<BridgelineError> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (err: unknown) => err,
  );
  if (!(error instanceof BridgelineError)) {
    throw error;
  }
  return error;
}

describe('identities', () => {
  it('finds a customer by any way of writing their number', async () => {
    const { customer } = await aCustomer(own.store, {
      identities: [{ kind: 'phone', value: '(415) 555-0142' }],
    });
    const card = await own.store.cardByIdentity(
      own.store.normalizeIdentity('phone', '+1 415 555 0142'),
    );
    expect(card?.customer.id).toBe(customer.id);
  });

  it('records where a link came from and how far it is verified', async () => {
    const phone = aPhone();
    const { customer } = await own.store.upsertCustomer({
      identities: [
        {
          kind: 'phone',
          value: phone,
          verification: 'carrier',
          source: 'call',
        },
        { kind: 'chat', value: 'visitor-abc123', source: 'chat-form' },
      ],
    });
    const card = await own.store.cardById(customer.id);
    expect(card?.identities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'phone',
          value: phone,
          verification: 'carrier',
          source: 'call',
          verified: true,
        }),
        expect.objectContaining({
          kind: 'chat',
          verification: 'self_claimed',
          source: 'chat-form',
          verified: false,
        }),
      ]),
    );
  });

  it('marks a self-claimed identity as unverified on the card', async () => {
    const { customer, email } = await aCustomer(own.store);
    const card = await own.store.cardByIdentity({
      kind: 'email',
      value: email,
    });
    expect(card?.customer.id).toBe(customer.id);
    expect(card?.matchedBy).toMatchObject({
      verification: 'self_claimed',
      verified: false,
    });
  });

  it('strengthens verification and never weakens it', async () => {
    const { customer, email } = await aCustomer(own.store);
    const otp = { kind: 'email' as const, value: email, source: 'otp' };
    await own.store.linkIdentity(customer.id, { ...otp, verification: 'otp' });
    await own.store.linkIdentity(customer.id, {
      ...otp,
      verification: 'self_claimed',
    });
    const card = await own.store.cardById(customer.id);
    const link = card?.identities.find((found) => found.value === email);
    expect(link?.verification).toBe('otp');
  });

  it('updates the customer that owns a given identity', async () => {
    const { customer, phone } = await aCustomer(own.store);
    const { customer: updated, created } = await own.store.upsertCustomer({
      tier: 'gold',
      identities: [{ kind: 'phone', value: phone }],
    });
    expect(created).toBe(false);
    expect(updated.id).toBe(customer.id);
    expect(updated.tier).toBe('gold');
    expect(updated.name).toBe('Ada Lovelace');
  });

  it('refuses an identity owned by someone else and writes nothing', async () => {
    const first = await aCustomer(own.store);
    const newEmail = anEmail();
    const second = await aCustomer(own.store);
    const error = await rejection(
      own.store.upsertCustomer({
        id: second.customer.id,
        name: 'Mallory',
        identities: [
          { kind: 'email', value: newEmail },
          { kind: 'phone', value: first.phone },
        ],
      }),
    );
    expect(error.code).toBe('BL_ERR_IDENTITY_TAKEN');
    expect(error.status).toBe(409);
    expect(error.field).toBe('identities.1.value');

    const card = await own.store.cardById(second.customer.id);
    expect(card?.customer.name).toBe('Ada Lovelace');
    expect(
      await own.store.cardByIdentity({ kind: 'email', value: newEmail }),
    ).toBeUndefined();
  });

  it('refuses identities that belong to two different customers', async () => {
    const a = await aCustomer(own.store);
    const b = await aCustomer(own.store);
    const error = await rejection(
      own.store.upsertCustomer({
        identities: [
          { kind: 'phone', value: a.phone },
          { kind: 'phone', value: b.phone },
        ],
      }),
    );
    expect(error.field).toBe('identities.1.value');
  });

  it('gives a contested identity to exactly one of two racing claims', async () => {
    const phone = aPhone();
    const ids = ['Grace', 'Alan'].map((name) => `${name}-${phone.slice(-4)}`);
    const results = await Promise.allSettled(
      ids.map((id) =>
        own.store.upsertCustomer({
          id,
          name: id,
          identities: [{ kind: 'phone', value: phone }],
        }),
      ),
    );

    const winners = ids.filter((_id, i) => results[i]?.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    const owner = await own.store.cardByIdentity({
      kind: 'phone',
      value: phone,
    });
    expect(owner?.customer.id).toBe(winners[0]);
    // The loser was new, so nothing of it is left behind.
    const loser = ids.find((id) => id !== winners[0]) ?? '';
    expect(await own.store.cardById(loser)).toBeUndefined();
  });

  it('unlinks an identity so it finds nobody, and keeps the rest', async () => {
    const { customer, phone, email } = await aCustomer(own.store);
    await own.store.unlinkIdentity(customer.id, {
      kind: 'phone',
      value: phone,
    });

    expect(
      await own.store.cardByIdentity({ kind: 'phone', value: phone }),
    ).toBeUndefined();
    const card = await own.store.cardByIdentity({
      kind: 'email',
      value: email,
    });
    expect(card?.identities.map((link) => link.kind)).toEqual(['email']);

    const again = await rejection(
      own.store.unlinkIdentity(customer.id, { kind: 'phone', value: phone }),
    );
    expect(again.code).toBe('BL_ERR_IDENTITY_NOT_FOUND');
  });

  it('lets an unlinked identity be linked to someone else', async () => {
    const a = await aCustomer(own.store);
    await own.store.unlinkIdentity(a.customer.id, {
      kind: 'phone',
      value: a.phone,
    });
    const b = await own.store.upsertCustomer({
      identities: [{ kind: 'phone', value: a.phone }],
    });
    expect(b.created).toBe(true);
    expect(b.customer.id).not.toBe(a.customer.id);
  });
});
