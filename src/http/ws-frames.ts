import type { WebSocket } from 'ws';
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

/**
 * How far a peer may fall behind what is pushed to it: past this many
 * bytes waiting to be written, it has stopped reading, and holding every
 * later frame for it would grow the server's memory without bound.
 */
export const maxBacklogBytes = 4 * 1024 * 1024;

/**
 * Sends a frame pushed to the peer, or drops the connection of a peer
 * that has stopped reading (see maxBacklogBytes); a desktop or a stream
 * consumer reconnects and starts again from what is current. Answers
 * `dropped` only for the frame that dropped it; `gone` once it is closed.
 */
export function pushFrame(
  socket: WebSocket,
  text: string,
): 'sent' | 'dropped' | 'gone' {
  if (socket.readyState !== socket.OPEN) {
    return 'gone';
  }
  if (socket.bufferedAmount > maxBacklogBytes) {
    // No close frame: it would wait behind the backlog the peer is not
    // reading.
    socket.terminate();
    return 'dropped';
  }
  socket.send(text);
  return 'sent';
}
