import type { FastifyInstance } from 'fastify';
import { BridgelineError, isBridgelineError } from '../errors';

// Fastify's own rejections, mapped to ours so every error body looks alike.
const fastifyCodes: Record<string, () => BridgelineError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    new BridgelineError('BL_ERR_PAYLOAD_TOO_LARGE'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new BridgelineError('BL_ERR_UNSUPPORTED_MEDIA_TYPE'),
  FST_ERR_CTP_INVALID_JSON_BODY: () =>
    invalidBody('The body is not valid JSON.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => invalidBody('The JSON body is empty.'),
};

function invalidBody(message: string): BridgelineError {
  return new BridgelineError('BL_ERR_INVALID_INPUT', {
    message,
    field: '(body)',
  });
}

// Handlers may throw anything: fastify's errors carry a code, others not.
function toBridgelineError(err: Error): BridgelineError {
  if (isBridgelineError(err)) {
    return err;
  }
  const code = 'code' in err && typeof err.code === 'string' ? err.code : '';
  const mapped = fastifyCodes[code];
  if (mapped) {
    return mapped();
  }
  if (err instanceof SyntaxError || code.startsWith('FST_ERR_CTP')) {
    return invalidBody(err.message);
  }
  if (code === 'ECONNREFUSED' || /Connection is closed/.test(err.message)) {
    return new BridgelineError('BL_ERR_REDIS_UNAVAILABLE');
  }
  return new BridgelineError('BL_ERR_INTERNAL');
}

/** JSON error bodies: `{ statusCode, code, message, field?, problems? }`. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: Error, request, reply) => {
    const error = toBridgelineError(err);
    if (error.status >= 500) {
      request.log.error({ err }, 'request failed');
    } else {
      request.log.info(
        { code: error.code, field: error.field },
        'request rejected',
      );
    }
    return reply.status(error.status).send(error.toJSON());
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new BridgelineError('BL_ERR_ROUTE_NOT_FOUND');
    return reply.status(error.status).send(error.toJSON());
  });
}
