import type { z } from 'zod';
import { parseInput } from '../context/validate';
import { BridgelineError } from '../errors';

/**
 * A WebSocket frame of JSON, checked against `schema`: the chat's and the
 * desktop's protocols both speak text frames only (RFC 6455 section 5.6),
 * and a bad one is refused with the field that is wrong, `(frame)` when
 * it is the frame itself.
 */
export function parseJsonFrame<S extends z.ZodType>(
  schema: S,
  bytes: Buffer,
  isBinary: boolean,
): z.output<S> {
  if (isBinary) {
    throw new BridgelineError('BL_ERR_INVALID_INPUT', {
      message: '(frame): send text frames of JSON',
      field: '(frame)',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BridgelineError('BL_ERR_INVALID_INPUT', {
      message: '(frame): not valid JSON',
      field: '(frame)',
    });
  }
  return parseInput(schema, json);
}
