import {
  isStronger,
  normalizeChatId,
  normalizeEmail,
  normalizeIdentity,
  normalizePhone,
  PhoneNormalizer,
} from '../../src/context/identity';
import { BridgelineError } from '../../src/errors';

function errorOf(fn: () => unknown): BridgelineError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BridgelineError) {
      return err;
    }
  }
  throw new Error('expected a BridgelineError');
}

describe('identity normalisation', () => {
  describe('phone numbers', () => {
    it.each([
      ['+14155550100', '+14155550100'],
      ['(415) 555-0100', '+14155550100'],
      ['415.555.0100', '+14155550100'],
      ['+1 415 555 0100', '+14155550100'],
      ['tel:+14155550100', '+14155550100'],
      ['+44 20 7946 0000', '+442079460000'],
    ])('turns %s into E.164 %s', (raw, e164) => {
      expect(normalizePhone(raw, 'US')).toBe(e164);
    });

    it('reads national numbers in the configured default region', () => {
      expect(normalizePhone('020 7946 0000', 'GB')).toBe('+442079460000');
      expect(normalizePhone('(415) 555-0100', 'US')).toBe('+14155550100');
    });

    it.each(['12345', '+1415555010', '+999123', 'not a number', '', '+'])(
      'refuses %j naming the field',
      (raw) => {
        const error = errorOf(() => normalizePhone(raw, 'US', 'from'));
        expect(error.code).toBe('BL_ERR_INVALID_PHONE');
        expect(error.status).toBe(400);
        expect(error.field).toBe('from');
      },
    );

    it('refuses absurdly long input before parsing it', () => {
      const error = errorOf(() => normalizePhone('1'.repeat(1000), 'US'));
      expect(error.code).toBe('BL_ERR_INVALID_PHONE');
    });
  });

  describe('phone numbers remembered', () => {
    it('answers as normalizePhone does, on repeats and past its size', () => {
      const phones = new PhoneNormalizer('US', 2);
      const raws = [
        '(415) 555-0100',
        '+44 20 7946 0000',
        '(415) 555-0100',
        '212 555 0199',
        '+44 20 7946 0000',
        '(415) 555-0100',
      ];
      expect(raws.map((raw) => phones.normalize(raw))).toEqual(
        raws.map((raw) => normalizePhone(raw, 'US')),
      );
    });

    it('refuses a bad number every time, naming the field', () => {
      const phones = new PhoneNormalizer('US');
      for (let i = 0; i < 2; i++) {
        const error = errorOf(() => phones.normalize('12345', 'from'));
        expect(error.code).toBe('BL_ERR_INVALID_PHONE');
        expect(error.field).toBe('from');
      }
    });

    it('reads national numbers in its own region', () => {
      const london = new PhoneNormalizer('GB');
      expect(london.normalize('020 7946 0000')).toBe('+442079460000');
    });
  });

  describe('emails', () => {
    it('lower-cases and trims', () => {
      expect(normalizeEmail('  Ada.Lovelace@Example.COM ')).toBe(
        'ada.lovelace@example.com',
      );
    });

    it.each(['ada', 'ada@', '@example.com', 'ada@example', 'a b@example.com'])(
      'refuses %j',
      (raw) => {
        expect(errorOf(() => normalizeEmail(raw)).code).toBe(
          'BL_ERR_INVALID_EMAIL',
        );
      },
    );
  });

  describe('chat visitor ids', () => {
    it('keeps a well-formed id as it is', () => {
      expect(normalizeChatId('visitor-0001')).toBe('visitor-0001');
    });

    it.each(['short', 'has space inside', 'x'.repeat(65), 'semi;colon1'])(
      'refuses %j',
      (raw) => {
        expect(errorOf(() => normalizeChatId(raw)).field).toBe('chat');
      },
    );
  });

  it('dispatches by kind and names the caller-given field', () => {
    expect(normalizeIdentity('email', 'A@B.io', 'US')).toEqual({
      kind: 'email',
      value: 'a@b.io',
    });
    const error = errorOf(() =>
      normalizeIdentity('phone', 'nope', 'US', 'identities.2.value'),
    );
    expect(error.field).toBe('identities.2.value');
  });

  it('ranks a one-time code above the carrier, and both above a claim', () => {
    expect(isStronger('otp', 'carrier')).toBe(true);
    expect(isStronger('carrier', 'self_claimed')).toBe(true);
    expect(isStronger('self_claimed', 'carrier')).toBe(false);
    expect(isStronger('carrier', 'carrier')).toBe(false);
  });
});
