import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A chat visitor's id and the token that proves it. The id is random and
 * kept in the browser's localStorage, so it survives a reload; the token
 * is the id with an HMAC-SHA256 of it, so knowing someone's visitor id
 * (from a log line, a shared screen) is not enough to resume their chat.
 * The key is shared by every instance, so any of them accepts a token
 * another issued.
 */

const visitorIdPattern = /^w[A-Za-z0-9_-]{22}$/;

export class VisitorTokens {
  constructor(private readonly key: Buffer) {}

  /** A fresh visitor: 128 random bits, unguessable. */
  issue(): { visitorId: string; token: string } {
    const visitorId = `w${randomBytes(16).toString('base64url')}`;
    return { visitorId, token: this.tokenFor(visitorId) };
  }

  tokenFor(visitorId: string): string {
    return `${visitorId}.${this.mac(visitorId).toString('base64url')}`;
  }

  /** The visitor id a token proves, or undefined for a forged one. */
  verify(token: string): string | undefined {
    const [visitorId = '', mac = '', ...rest] = token.split('.');
    if (rest.length > 0 || !visitorIdPattern.test(visitorId)) {
      return undefined;
    }
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(visitorId);
    return given.length === expected.length && timingSafeEqual(given, expected)
      ? visitorId
      : undefined;
  }

  private mac(visitorId: string): Buffer {
    return createHmac('sha256', this.key).update(visitorId).digest();
  }
}

/** The token key, derived from a secret every instance shares. */
export function visitorTokenKey(sharedSecret: string): Buffer {
  return createHmac('sha256', sharedSecret)
    .update('bridgeline chat visitor tokens')
    .digest();
}
