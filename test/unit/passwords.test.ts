import {
  hashingAtOnce,
  hashingQueued,
  hashPassword,
  isPasswordHash,
  needsRehash,
  verifyPassword,
} from '../../src/agents/passwords';

describe('passwords', () => {
  it('hashes with scrypt at N=2^15, r=8, p=1, salted each time', async () => {
    const first = await hashPassword('correct horse battery');
    const second = await hashPassword('correct horse battery');
    expect(first).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(first).not.toBe(second);
    expect(needsRehash(first)).toBe(false);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
  });

  it('refuses every password when there is no hash', async () => {
    expect(await verifyPassword('anything at all', undefined)).toBe(false);
  });

  it('when a stored value is damaged or too costly, it matches nothing', async () => {
    for (const stored of [
      'plain text',
      'scrypt$15$8$1$c2FsdA',
      'scrypt$40$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5',
    ]) {
      expect(isPasswordHash(stored)).toBe(false);
      expect(await verifyPassword('plain text', stored)).toBe(false);
    }
  });

  it('checks a burst of sign-ins in turn and refuses those past the queue', async () => {
    // The cheapest hash the limits allow, so the burst runs quickly.
    const cheap = `scrypt$10$1$1$${'A'.repeat(22)}$${'A'.repeat(43)}`;
    const burst = () =>
      Promise.allSettled(
        Array.from({ length: hashingAtOnce + hashingQueued + 10 }, () =>
          verifyPassword('a guess', cheap),
        ),
      );

    const first = await burst();
    const refused = first.filter((result) => result.status === 'rejected');
    expect(refused).toHaveLength(10);
    expect(refused[0]).toMatchObject({
      reason: { code: 'BL_ERR_SIGN_IN_BUSY' },
    });
    // Every slot came back: the next burst is taken the same way.
    const second = await burst();
    expect(
      second.filter((result) => result.status === 'fulfilled'),
    ).toHaveLength(hashingAtOnce + hashingQueued);
  });

  it('when a hash was made at a lower cost, it asks for a rehash', () => {
    const cheap = 'scrypt$14$8$1$c2FsdHNhbHRzYWx0c2FsdA$' + 'A'.repeat(43);
    expect(isPasswordHash(cheap)).toBe(true);
    expect(needsRehash(cheap)).toBe(true);
  });
});
