import { z } from 'zod';
import { channels, type Channel } from './events';

/**
 * A conversation is one journey of a customer's: it may start on the phone,
 * go on in chat and end in an email, and keeps its subject, status and the
 * channels it passed through the whole way.
 */
export const conversationStatuses = ['open', 'pending', 'closed'] as const;
export type ConversationStatus = (typeof conversationStatuses)[number];

/**
 * The subjects bridgeline gives a conversation it opens before anyone has
 * said what it is about. Nobody is told "about Phone call": where a
 * subject is read out or written to a customer, these count as none.
 */
export const untitled = {
  call: 'Phone call',
  digital: 'New conversation',
  chatCallback: 'Call back asked for in chat',
} as const;

export function isUntitled(subject: string): boolean {
  return (Object.values(untitled) as string[]).includes(subject);
}

export interface Conversation {
  id: string;
  subject: string;
  status: ConversationStatus;
  currentChannel: Channel;
  /** Every channel the conversation has been on, first first. */
  channels: Channel[];
  /** The agent who handled it last, if any. */
  agentId?: string;
  createdAt: string;
  updatedAt: string;
}

const subject = z.string().trim().min(1).max(200);
const agentId = z.string().trim().min(1).max(128);
const conversationChannel = z.enum(channels).exclude(['internal']);

export const conversationInput = z.strictObject({
  subject,
  channel: conversationChannel,
  agentId: agentId.optional(),
});

export const conversationPatch = z
  .strictObject({
    subject: subject.optional(),
    status: z.enum(conversationStatuses).optional(),
    agentId: agentId.nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, {
    error: 'name at least one of subject, status, agentId',
  });

export type ConversationInput = z.infer<typeof conversationInput>;
export type ConversationPatch = z.infer<typeof conversationPatch>;

export function decodeConversation(hash: Record<string, string>): Conversation {
  const conversation: Conversation = {
    id: hash.id ?? '',
    subject: hash.subject ?? '',
    status: (hash.status ?? 'open') as ConversationStatus,
    currentChannel: (hash.currentChannel ?? 'voice') as Channel,
    channels: (hash.channels ?? '').split(',').filter(Boolean) as Channel[],
    createdAt: hash.createdAt ?? '',
    updatedAt: hash.updatedAt ?? '',
  };
  if (hash.agentId !== undefined) {
    conversation.agentId = hash.agentId;
  }
  return conversation;
}

/** A flat [field, value, ...] reply as an object. */
export function pairs(flat: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    hash[flat[i] as string] = flat[i + 1] as string;
  }
  return hash;
}
