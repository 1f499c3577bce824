import { z } from 'zod';

/**
 * The frames a chat visitor's browser and bridgeline exchange over the
 * WebSocket, one JSON object per text frame (RFC 6455 section 5.6). The
 * browser opens with `hello`; every frame that stores something carries
 * an id the browser made up, so that a frame sent again after a dropped
 * connection is stored once and acknowledged again.
 */

/** Ids the browser makes up: long enough to be unique, safe in a key. */
export const clientIdPattern = /^[A-Za-z0-9_-]{8,64}$/;
const clientId = z.string().regex(clientIdPattern, '8-64 letters, digits, -_');

export const helloFrame = z.strictObject({
  type: z.literal('hello'),
  /** The visitor token from an earlier welcome; absent on a first visit. */
  token: z.string().max(200).optional(),
  /** The highest message sequence this browser has shown; 0 for none. */
  lastSeq: z.number().int().min(0).default(0),
  /** An escalation link's token, when the page was opened from one. */
  link: z.string().max(1000).optional(),
});

export const messageFrame = z.strictObject({
  type: z.literal('message'),
  id: clientId,
  text: z.string().trim().min(1, 'must not be empty').max(8000),
});

/** The optional pre-chat form; every identity in it is self-claimed. */
export const profileFrame = z.strictObject({
  type: z.literal('profile'),
  id: clientId,
  name: z.string().trim().min(1).max(200).optional(),
  email: z.string().trim().min(3).max(320).optional(),
  phone: z.string().trim().min(3).max(40).optional(),
});

export const callbackFrame = z.strictObject({
  type: z.literal('callback'),
  id: clientId,
});

export const visitorFrame = z.discriminatedUnion('type', [
  helloFrame,
  messageFrame,
  profileFrame,
  callbackFrame,
]);

export type VisitorFrame = z.infer<typeof visitorFrame>;
export type HelloFrame = z.infer<typeof helloFrame>;
export type MessageFrame = z.infer<typeof messageFrame>;
export type ProfileFrame = z.infer<typeof profileFrame>;

/** A message of the chat as the visitor and agents see it. */
export interface ChatMessage {
  /** Orders the conversation's chat messages; what resuming counts by. */
  seq: number;
  /** The browser's id for a visitor message, bridgeline's for a reply. */
  id: string;
  customerId: string;
  conversationId: string;
  /** inbound: from the visitor; outbound: from an agent. */
  direction: 'inbound' | 'outbound';
  text: string;
  author?: string;
  at: string;
}

export type ServerFrame =
  | {
      type: 'welcome';
      token: string;
      visitorId: string;
      conversationId: string | null;
    }
  | ({ type: 'message' } & Omit<ChatMessage, 'customerId'>)
  | { type: 'ack'; id: string; seq?: number; duplicate?: boolean }
  | {
      type: 'callback';
      id: string;
      status: string;
      position?: number;
      estimatedWaitSeconds?: number;
    }
  | {
      type: 'error';
      code: string;
      message: string;
      field?: string;
      id?: string;
    };

/** What a visitor's browser is shown of a stored message. */
export function toVisitor(message: ChatMessage): ServerFrame {
  return {
    type: 'message',
    seq: message.seq,
    id: message.id,
    conversationId: message.conversationId,
    direction: message.direction,
    text: message.text,
    ...(message.author === undefined ? {} : { author: message.author }),
    at: message.at,
  };
}
