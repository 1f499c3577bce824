import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { BridgelineError } from '../errors';
import { conversationIdPattern, customerIdPattern } from '../context/keys';
import type { RedisClient } from '../redis/connect';

/**
 * Escalation links: the token in a "carry on in chat" link that bridgeline
 * texts or mails to a caller. It names one conversation and nothing about
 * the person: no number, no name. It is signed (HMAC-SHA256), so it cannot
 * be made up or altered; it expires; and it works once, so a link that is
 * forwarded, or read off a lock screen later, opens nothing.
 *
 * Format: `<payload>.<signature>`, both base64url; the payload is
 * `customerId.conversationId.nonce.expiresAtSeconds`. The ids are random
 * and say nothing on their own; the pair is the conversation's address.
 */

export interface LinkTarget {
  customerId: string;
  conversationId: string;
}

export interface LinkTokensOptions {
  /** At least 32 bytes; every instance must share it. */
  secret: Buffer;
  ttlMs: number;
  now?: () => number;
}

export class LinkTokens {
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: LinkTokensOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  issue(target: LinkTarget): string {
    const expires = Math.ceil((this.now() + this.options.ttlMs) / 1000);
    const nonce = randomBytes(12).toString('base64url');
    const payload = Buffer.from(
      [target.customerId, target.conversationId, nonce, expires].join('.'),
    ).toString('base64url');
    return `${payload}.${this.sign(payload).toString('base64url')}`;
  }

  /**
   * The conversation a token opens, once. The used mark is set atomically
   * (SET NX) and kept until the token would have expired anyway; it lives
   * in the customer's hash slot, so erasure takes it too.
   */
  async redeem(token: string): Promise<LinkTarget> {
    const parsed = this.verify(token);
    const remainingMs = parsed.expires * 1000 - this.now();
    if (remainingMs <= 0) {
      throw new BridgelineError('BL_ERR_LINK_EXPIRED', { field: 'link' });
    }
    const first = await this.redis.set(
      `link:{${parsed.customerId}}:${parsed.nonce}`,
      parsed.conversationId,
      'PX',
      Math.ceil(remainingMs),
      'NX',
    );
    if (first === null) {
      throw new BridgelineError('BL_ERR_LINK_USED', { field: 'link' });
    }
    return {
      customerId: parsed.customerId,
      conversationId: parsed.conversationId,
    };
  }

  private verify(token: string) {
    const invalid = () =>
      new BridgelineError('BL_ERR_LINK_INVALID', { field: 'link' });
    const [payload, signature, extra] = token.split('.');
    if (
      token.length > 512 ||
      extra !== undefined ||
      !payload ||
      !signature ||
      !/^[A-Za-z0-9_-]+$/.test(payload + signature)
    ) {
      throw invalid();
    }
    const expected = this.sign(payload);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw invalid();
    }
    const [customerId, conversationId, nonce, expires] = Buffer.from(
      payload,
      'base64url',
    )
      .toString('utf8')
      .split('.');
    if (
      !customerId ||
      !customerIdPattern.test(customerId) ||
      !conversationId ||
      !conversationIdPattern.test(conversationId) ||
      !nonce ||
      !/^\d{1,12}$/.test(expires ?? '')
    ) {
      throw invalid();
    }
    return { customerId, conversationId, nonce, expires: Number(expires) };
  }

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.options.secret)
      .update(`bridgeline link v1.${payload}`)
      .digest();
  }
}
