import { identifyCaller } from '../../src/voice/sip/caller-id';

describe('identifying the caller of an INVITE', () => {
  it('takes P-Asserted-Identity over From', () => {
    expect(
      identifyCaller({
        pAssertedIdentity: '<sip:+14155550100@carrier.example.com;user=phone>',
        from: '"Spoofed" <sip:+14155550999@evil.example.com>;tag=1',
      }),
    ).toEqual({ kind: 'number', number: '+14155550100' });
  });

  it('uses From when there is no P-Asserted-Identity', () => {
    expect(
      identifyCaller({ from: '"Ada" <sip:+14155550100@example.com>;tag=9' }),
    ).toEqual({ kind: 'number', number: '+14155550100' });
  });

  it('reads tel: URIs and drops visual separators', () => {
    expect(
      identifyCaller({
        pAssertedIdentity: '<tel:+1-415-555-0100;cpc=ordinary>',
      }),
    ).toEqual({ kind: 'number', number: '+14155550100' });
  });

  it('reads a bare addr-spec and %-escapes', () => {
    expect(
      identifyCaller({ from: 'sip:%2B14155550100@example.com;tag=3' }),
    ).toEqual({ kind: 'number', number: '+14155550100' });
  });

  it.each([
    [
      'anonymous',
      { from: '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1' },
    ],
    ['restricted', { from: '<sip:restricted@carrier.example.com>;tag=1' }],
    [
      'privacy id',
      {
        pAssertedIdentity: '<sip:+14155550100@carrier.example.com>',
        from: '<sip:+14155550100@carrier.example.com>;tag=1',
        privacy: 'id',
      },
    ],
    ['no user part', { from: '<sip:carrier.example.com>;tag=1' }],
    ['no header at all', {}],
    ['a broken escape', { from: '<sip:%E0%A4%A@example.com>;tag=1' }],
  ])('treats %s as an unknown caller', (_what, headers) => {
    expect(identifyCaller(headers)).toEqual({ kind: 'anonymous' });
  });

  it('does not read Privacy: none as withheld', () => {
    expect(
      identifyCaller({
        from: '<sip:+14155550100@example.com>;tag=1',
        privacy: 'none',
      }),
    ).toEqual({ kind: 'number', number: '+14155550100' });
  });
});
