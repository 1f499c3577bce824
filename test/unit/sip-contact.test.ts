import { aorUser, parseContacts } from '../../src/voice/sip/contact';

describe('the Contact of a REGISTER', () => {
  it('reads name-addrs with their expires parameter', () => {
    expect(
      parseContacts(
        '"Desk, 7" <sip:agent7@10.0.0.7:5060;transport=tcp>;expires=600, ' +
          '<sips:agent7@phone.example.com>',
      ),
    ).toEqual([
      { uri: 'sip:agent7@10.0.0.7:5060;transport=tcp', expires: 600 },
      { uri: 'sips:agent7@phone.example.com', expires: undefined },
    ]);
  });

  it('reads an addr-spec, whose parameters belong to the header', () => {
    expect(parseContacts('sip:agent7@10.0.0.7;expires=0')).toEqual([
      { uri: 'sip:agent7@10.0.0.7', expires: 0 },
    ]);
  });

  it('knows the wildcard', () => {
    expect(parseContacts(' * ')).toBe('*');
  });

  it.each(['', '<http://example.com>', '<sip:a@b', 'garbage here'])(
    'refuses %j',
    (header) => {
      expect(parseContacts(header)).toBeUndefined();
    },
  );
});

describe('the AOR user of a To header', () => {
  it.each([
    ['<sip:agent7@bl.example.com>', 'agent7'],
    ['"Seven" <sips:agent%2B7@bl.example.com>;tag=1', 'agent+7'],
    ['sip:agent7@bl.example.com;tag=1', 'agent7'],
    ['<sip:bl.example.com>', undefined],
    [undefined, undefined],
  ])('of %j is %j', (to, user) => {
    expect(aorUser(to)).toBe(user);
  });
});
