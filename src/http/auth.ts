import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { BridgelineError } from '../errors';

/**
 * A check of a given token against a known one. Both sides are hashed
 * before the constant-time compare, so neither the token's content nor its
 * length leaks through timing.
 */
export function tokenCheck(token: string): (given: string) => boolean {
  const expected = digest(token);
  return (given) => timingSafeEqual(digest(given), expected);
}

/** The bearer token of a request, if it sends one. */
export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization ?? '';
  return /^Bearer\s+(\S+)$/i.exec(header)?.[1];
}

/**
 * A preHandler that admits requests carrying `Authorization: Bearer <token>`
 * for routes outside /api that take only one token.
 */
export function bearerAuth(token: string) {
  const matches = tokenCheck(token);
  // Async only because fastify takes hooks either async or with done().
  // eslint-disable-next-line @typescript-eslint/require-await
  return async (request: FastifyRequest): Promise<void> => {
    const given = bearerOf(request);
    if (given === undefined || !matches(given)) {
      throw new BridgelineError('BL_ERR_UNAUTHORIZED');
    }
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
