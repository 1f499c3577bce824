import { maskEmail, maskPhone, maskUrl } from '../../src/log';

describe('masking personal data in logs', () => {
  it('keeps the country code and the last two digits of a phone', () => {
    expect(maskPhone('+14155550100')).toBe('+14*******00');
    expect(maskPhone('+14155550100')).not.toContain('555');
  });

  it('keeps the first letter and the domain of an email', () => {
    expect(maskEmail('ada.lovelace@example.com')).toBe('a***@example.com');
  });

  it('masks identities in query strings and identity paths', () => {
    const url = maskUrl('/api/context?phone=%2B14155550100&events=5');
    expect(url).not.toContain('4155550100');
    expect(url).toContain('events=5');
    expect(maskUrl('/api/context?email=ada%40example.com')).not.toContain(
      'ada',
    );
    expect(
      maskUrl('/api/customers/c1/identities/email/ada%40example.com'),
    ).toBe('/api/customers/c1/identities/email/a***@example.com');
  });

  it('keeps a voicemail stream token out of logged URLs', () => {
    const token = 'Zx8kQ2m1VbN7pL0rT4sW9yU3eA6cD5fG';
    const url = maskUrl(`/jambonz/voicemail/9fb35c28?token=${token}`);
    expect(url).not.toContain(token.slice(4));
  });
});
