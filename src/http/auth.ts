import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { BridgelineError } from '../errors';

/**
 * A preHandler that admits requests carrying `Authorization: Bearer <token>`.
 * Both sides are hashed before the constant-time compare, so neither the
 * token's content nor its length leaks through timing.
 */
export function bearerAuth(token: string) {
  const expected = digest(token);
  // Async only because fastify takes hooks either async or with done().
  // eslint-disable-next-line @typescript-eslint/require-await
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      throw new BridgelineError('BL_ERR_UNAUTHORIZED');
    }
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
