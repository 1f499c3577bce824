import { SetupGate, WindowLimiter } from '../../src/voice/sip/rate-limit';

describe('the per-source rate limit', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('lets N requests through per window and refuses the next', () => {
    const limiter = new WindowLimiter(
      { limit: 3, windowMs: 1000, blockMs: 0 },
      clock,
    );
    const answers = [1, 2, 3, 4].map(() => limiter.hit('198.51.100.7'));
    expect(answers).toEqual([true, true, true, false]);
    now += 1000;
    expect(limiter.hit('198.51.100.7')).toBe(true);
  });

  it('keeps a source out for the block time, then lets it back', () => {
    const limiter = new WindowLimiter(
      { limit: 1, windowMs: 1000, blockMs: 60_000 },
      clock,
    );
    limiter.hit('198.51.100.7');
    expect(limiter.hit('198.51.100.7')).toBe(false);
    now += 30_000;
    expect(limiter.hit('198.51.100.7')).toBe(false);
    expect(limiter.isBlocked('198.51.100.7')).toBe(true);
    expect(limiter.blockedCount()).toBe(1);
    now += 30_001;
    expect(limiter.hit('198.51.100.7')).toBe(true);
  });

  it('counts each source on its own', () => {
    const limiter = new WindowLimiter(
      { limit: 1, windowMs: 1000, blockMs: 5000 },
      clock,
    );
    limiter.hit('198.51.100.7');
    limiter.hit('198.51.100.7');
    expect(limiter.hit('203.0.113.9')).toBe(true);
    expect(limiter.isBlocked('203.0.113.9')).toBe(false);
  });

  it('forgets idle sources once it tracks many', () => {
    const limiter = new WindowLimiter(
      { limit: 1, windowMs: 1000, blockMs: 5000 },
      clock,
    );
    limiter.hit('victim');
    limiter.hit('victim');
    for (let i = 0; i < 10_000; i += 1) {
      limiter.hit(`10.0.${i >> 8}.${i & 255}`);
    }
    now += 2000;
    limiter.hit('newcomer');
    // The blocked source is kept; the idle ones were swept.
    expect(limiter.isBlocked('victim')).toBe(true);
    expect(limiter.blockedCount()).toBe(1);
  });
});

describe('the cap on calls in setup', () => {
  it('refuses a call beyond the cap until one leaves', () => {
    const gate = new SetupGate(2);
    expect([gate.enter(), gate.enter(), gate.enter()]).toEqual([
      true,
      true,
      false,
    ]);
    gate.leave();
    expect(gate.enter()).toBe(true);
    expect(gate.count).toBe(2);
  });
});
