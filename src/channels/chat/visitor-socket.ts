import type { FastifyBaseLogger } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { BridgelineError, isBridgelineError } from '../../errors';
import {
  toVisitor,
  visitorFrame,
  type ChatMessage,
  type ServerFrame,
  type VisitorFrame,
} from './protocol';
import type { ChatService, VisitorSession } from './service';
import { parseJsonFrame } from '../../http/ws-frames';

/**
 * One visitor's WebSocket: frames in order, one at a time, each answered
 * with an ack or an error frame; the conversation's messages out, each
 * once and in sequence. A gap in the live sequence (pub/sub reorders
 * messages stored on two instances) is filled from the transcript rather
 * than skipped.
 */

export interface VisitorSocketOptions {
  maxFrameBytes: number;
  log: FastifyBaseLogger;
  /** Checks an escalation link's token and names its conversation. */
  openLink?: (
    token: string,
  ) => Promise<{ customerId: string; conversationId: string }>;
}

// RFC 6455 section 7.4.1: 1009, a message too big to process.
const tooBig = 1009;
// Frames waiting their turn; a client that outruns us past this is told
// to slow down instead of growing our memory.
const maxPending = 32;

export function serveVisitor(
  socket: WebSocket,
  chat: ChatService,
  options: VisitorSocketOptions,
): void {
  const { log } = options;
  let session: VisitorSession | undefined;
  let watched: { conversationId: string; stop: () => void } | undefined;
  let lastSent = 0;
  let catchingUp: ChatMessage[] | undefined;
  let pending = 0;
  let turn = Promise.resolve();
  let closed = false;

  const send = (frame: ServerFrame) => {
    if (!closed) {
      socket.send(JSON.stringify(frame));
    }
  };
  const refuse = (err: unknown, id?: string) => {
    const error = isBridgelineError(err)
      ? err
      : new BridgelineError('BL_ERR_INTERNAL');
    if (!isBridgelineError(err)) {
      log.error({ err }, 'chat frame failed');
    }
    send({
      type: 'error',
      code: error.code,
      message: error.message,
      ...(error.field === undefined ? {} : { field: error.field }),
      ...(id === undefined ? {} : { id }),
    });
  };

  const deliver = (message: ChatMessage) => {
    if (catchingUp) {
      catchingUp.push(message);
    } else if (message.seq === lastSent + 1) {
      lastSent = message.seq;
      send(toVisitor(message));
    } else if (message.seq > lastSent) {
      turn = turn.then(catchUp).catch((err: unknown) => {
        log.warn({ err }, 'chat catch-up failed');
      });
    }
  };

  // Watches the session's conversation, then sends what the transcript
  // holds past lastSent; live messages wait until it is sent.
  const catchUp = async () => {
    if (!session?.customerId || !session.conversationId) {
      return;
    }
    const { customerId, conversationId } = session;
    catchingUp = [];
    try {
      if (watched?.conversationId !== conversationId) {
        watched?.stop();
        const stop = await chat.live.watchConversation(
          customerId,
          conversationId,
          deliver,
        );
        watched = { conversationId, stop };
        if (closed) {
          stop();
        }
      }
      for (const message of await chat.missed(session, lastSent)) {
        lastSent = message.seq;
        send(toVisitor(message));
      }
    } finally {
      const arrived = catchingUp;
      catchingUp = undefined;
      for (const message of arrived) {
        if (message.seq > lastSent) {
          deliver(message);
        }
      }
    }
  };

  const handle = async (frame: VisitorFrame) => {
    if (frame.type === 'hello') {
      if (session) {
        throw new BridgelineError('BL_ERR_INVALID_INPUT', {
          message: 'type: hello is sent once per connection',
          field: 'type',
        });
      }
      let opened = await chat.open(frame.token);
      if (frame.link !== undefined && options.openLink) {
        const target = await options.openLink(frame.link);
        opened = await chat.joinConversation(opened, target);
      }
      session = opened;
      lastSent = frame.lastSeq;
      send({
        type: 'welcome',
        token: opened.token,
        visitorId: opened.visitorId,
        conversationId: opened.conversationId ?? null,
      });
      await catchUp();
      return;
    }
    if (!session) {
      throw new BridgelineError('BL_ERR_INVALID_INPUT', {
        message: 'type: send a hello frame first',
        field: 'type',
      });
    }
    if (frame.type === 'message') {
      const outcome = await chat.send(session, frame);
      if (outcome.status === 'rate-limited') {
        throw new BridgelineError('BL_ERR_CHAT_RATE_LIMITED');
      }
      send({
        type: 'ack',
        id: frame.id,
        seq: outcome.seq,
        ...(outcome.status === 'duplicate' ? { duplicate: true } : {}),
      });
    } else if (frame.type === 'profile') {
      await chat.claimProfile(session, frame);
      send({ type: 'ack', id: frame.id });
    } else {
      const receipt = await chat.requestCallback(session, frame.id);
      send(
        receipt.status === 'refused'
          ? { type: 'callback', id: frame.id, status: receipt.reason }
          : {
              type: 'callback',
              id: frame.id,
              status: receipt.status,
              position: receipt.position,
              estimatedWaitSeconds: receipt.estimatedWaitSeconds,
            },
      );
    }
    // The first message opens the conversation: watch it from then on.
    if (session.conversationId !== watched?.conversationId) {
      await catchUp();
    }
  };

  socket.on('message', (data: RawData, isBinary: boolean) => {
    const bytes = toBuffer(data);
    if (bytes.length > options.maxFrameBytes) {
      refuse(
        new BridgelineError('BL_ERR_CHAT_FRAME_TOO_LARGE', {
          field: '(frame)',
        }),
      );
      socket.close(tooBig, 'frame too large');
      return;
    }
    let frame: VisitorFrame;
    try {
      frame = parseFrame(bytes, isBinary);
    } catch (err) {
      refuse(err, idOf(bytes));
      return;
    }
    const id = 'id' in frame ? frame.id : undefined;
    if (pending >= maxPending) {
      refuse(new BridgelineError('BL_ERR_CHAT_RATE_LIMITED'), id);
      return;
    }
    pending += 1;
    turn = turn
      .then(() => handle(frame))
      .catch((err: unknown) => {
        refuse(err, id);
      })
      .finally(() => {
        pending -= 1;
      });
  });

  socket.on('close', () => {
    closed = true;
    watched?.stop();
  });
}

function parseFrame(bytes: Buffer, isBinary: boolean): VisitorFrame {
  return parseJsonFrame(visitorFrame, bytes, isBinary);
}

// A refused frame's id, when it has one, so the browser knows which of
// its messages was refused.
function idOf(bytes: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'id' in parsed) {
      return typeof parsed.id === 'string' ? parsed.id.slice(0, 64) : undefined;
    }
  } catch {
    // Not JSON: no id to name.
  }
  return undefined;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) {
    return data;
  }
  return Array.isArray(data)
    ? Buffer.concat(data)
    : Buffer.from(new Uint8Array(data));
}
