import type { RawData } from 'ws';
import { z } from 'zod';
import type { ChatMessage } from '../../channels/chat/protocol';
import type { ContextCard } from '../../context/card';
import type { TimelineEntry } from '../../context/events';
import {
  agentStates,
  type AgentState,
  type Offer,
  type Role,
  type RouteReason,
} from '../types';
import { parseJsonFrame } from '../../http/ws-frames';

/**
 * The agent desktop's WebSocket protocol: JSON text frames, each with a
 * `type`. What the server sends is built here; what a desktop sends is
 * checked here, so a bad frame is refused before anything acts on it.
 */

/** Past this a frame closes the socket; a desktop never needs more. */
export const maxFrameBytes = 16 * 1024;

/** One IVR step of the call being offered, oldest first. */
export type IvrStep = Extract<TimelineEntry, { type: 'ivr.step' }>;

export interface ScreenPopFrame {
  type: 'screen-pop';
  offer: Offer;
  /** null for a contact bridgeline does not know yet: no history. */
  card: ContextCard | null;
  ivrPath: IvrStep[];
  reason: RouteReason;
}

export interface OfferGoneFrame {
  type: 'offer-gone';
  offerId: string;
  why: string;
}

export interface StateFrame {
  type: 'state';
  state: AgentState;
  reason: string | null;
}

export interface QueueStatsFrame {
  type: 'queue-stats';
  queue: string;
  /** As the ACD counts them (QueueStats in src/agents/acd/stats.ts). */
  stats: object;
}

/** A visitor's chat message in a conversation the agent was given. */
export interface ChatMessageFrame {
  type: 'message';
  contactId: string;
  message: ChatMessage;
}

/** What travels on a desktop's Redis channel, for its sockets. */
export type PushedFrame =
  ScreenPopFrame | OfferGoneFrame | StateFrame | QueueStatsFrame;

export type ServerFrame =
  | PushedFrame
  | ChatMessageFrame
  | {
      type: 'hello';
      agent: { id: string; displayName: string; role: Role };
    }
  | { type: 'ack'; of: ClientFrame['type'] }
  | {
      type: 'error';
      code: string;
      message: string;
      field?: string;
    };

const id = z.string().regex(/^[A-Za-z0-9_:.-]{1,128}$/, 'an id');

export const clientFrame = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('state'),
    state: z.enum(agentStates),
    reason: z.string().trim().min(1).max(200).optional(),
  }),
  z.strictObject({ type: z.literal('accept'), offerId: id }),
  z.strictObject({ type: z.literal('decline'), offerId: id }),
  z.strictObject({
    type: z.literal('finish'),
    contactId: id,
    note: z.string().trim().min(1).max(8000).optional(),
  }),
]);

export type ClientFrame = z.infer<typeof clientFrame>;

export function parseClientFrame(
  bytes: Buffer,
  isBinary: boolean,
): ClientFrame {
  return parseJsonFrame(clientFrame, bytes, isBinary);
}

export function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) {
    return data;
  }
  return Array.isArray(data)
    ? Buffer.concat(data)
    : Buffer.from(new Uint8Array(data));
}
