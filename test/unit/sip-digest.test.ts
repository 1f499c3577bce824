import { createHash } from 'node:crypto';
import {
  challenges,
  computeHa1,
  parseAuthorization,
  responseMatches,
  type DigestCredentials,
} from '../../src/voice/sip/digest';

// RFC 7616 §3.9.1, the worked example, in both algorithms.
const example = {
  username: 'Mufasa',
  realm: 'http-auth@example.org',
  password: 'Circle of Life',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  uri: '/dir/index.html',
};

function header(algorithm: string, response: string): string {
  return (
    `Digest username="${example.username}", realm="${example.realm}", ` +
    `uri="${example.uri}", algorithm=${algorithm}, nonce="${example.nonce}", ` +
    `nc=00000001, cnonce="${example.cnonce}", qop=auth, ` +
    `response="${response}", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`
  );
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

function parsed(text: string): DigestCredentials {
  const credentials = parseAuthorization(text);
  if (!credentials) {
    throw new Error('expected credentials');
  }
  return credentials;
}

describe('digest authentication', () => {
  it.each([
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    [
      'SHA-256',
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    ],
  ] as const)('accepts the RFC 7616 example with %s', (algorithm, response) => {
    const ha1 = computeHa1(
      algorithm,
      example.username,
      example.realm,
      example.password,
    );
    const credentials = parsed(header(algorithm, response));
    expect(credentials).toMatchObject({ algorithm, qop: 'auth', nc: 1 });
    expect(responseMatches(credentials, ha1, 'GET')).toBe(true);
  });

  it('refuses a response made with another password or method', () => {
    const credentials = parsed(
      header('MD5', '8ca523f5e9506fed4657c9700eebdbec'),
    );
    const wrong = computeHa1('MD5', 'Mufasa', example.realm, 'circle of life');
    expect(responseMatches(credentials, wrong, 'GET')).toBe(false);
    const right = computeHa1('MD5', 'Mufasa', example.realm, example.password);
    expect(responseMatches(credentials, right, 'REGISTER')).toBe(false);
  });

  it('checks RFC 2069-style responses without qop', () => {
    const ha1 = computeHa1('MD5', 'agent7', 'bridgeline', 'pw-123456');
    const ha2 = md5('REGISTER:sip:bl.example.com');
    const text = (response: string) =>
      'Digest username="agent7", realm="bridgeline", nonce="abc", ' +
      `uri="sip:bl.example.com", response="${response}"`;
    const credentials = parsed(text(md5(`${ha1}:abc:${ha2}`)));
    expect(credentials).toMatchObject({ qop: undefined, nc: undefined });
    expect(responseMatches(credentials, ha1, 'REGISTER')).toBe(true);
    expect(responseMatches(parsed(text(md5('guess'))), ha1, 'REGISTER')).toBe(
      false,
    );
  });

  it.each([
    ['another scheme', 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='],
    [
      'a missing response',
      'Digest username="a", realm="r", nonce="n", uri="u"',
    ],
    [
      'an algorithm we do not offer',
      'Digest username="a", realm="r", nonce="n", uri="u", response="x", algorithm=SHA-512-256',
    ],
    [
      'qop=auth-int',
      'Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth-int, nc=00000001, cnonce="c"',
    ],
    [
      'a malformed nonce count',
      'Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, nc=1, cnonce="c"',
    ],
    ['an unterminated quote', 'Digest username="a, realm="r"'],
    ['a huge header', `Digest username="${'a'.repeat(5000)}"`],
    ['nothing', undefined],
  ])('ignores %s', (_what, text) => {
    expect(parseAuthorization(text)).toBeUndefined();
  });

  it('offers SHA-256 before MD5, each in its own challenge', () => {
    expect(challenges('bridgeline', 'n1', true)).toEqual([
      'Digest realm="bridgeline", nonce="n1", algorithm=SHA-256, qop="auth", stale=true',
      'Digest realm="bridgeline", nonce="n1", algorithm=MD5, qop="auth", stale=true',
    ]);
  });
});
