import { z } from 'zod';
import { agentIdPattern } from '../../voice/sip/keys';
import { contactKinds } from '../types';
import { contactIdPattern, queueIdPattern } from './keys';
import { skillName } from './queues';

const id = (pattern: RegExp, what: string) => z.string().regex(pattern, what);

/**
 * A contact as channels hand it to the ACD. Priority falls back to the
 * queue's, enqueuedAt to now.
 */
export const contactInput = z.strictObject({
  id: id(contactIdPattern, 'a contact id: letters, digits, . _ @ -'),
  kind: z.enum(contactKinds),
  queue: id(queueIdPattern, 'a queue id'),
  skills: z.array(skillName).max(20).default([]),
  priority: z.number().int().min(1).max(9).optional(),
  customerId: z.string().min(1).max(128).optional(),
  conversationId: z.string().min(1).max(128).optional(),
  preferredAgentId: id(agentIdPattern, 'an agent id').optional(),
  callSid: z.string().min(1).max(128).optional(),
  enqueuedAt: z.number().int().positive().optional(),
});
export type ContactInput = z.input<typeof contactInput>;

export const agentInput = z.strictObject({
  id: id(agentIdPattern, 'an agent id'),
  skills: z.array(skillName).max(50).default([]),
  queues: z.array(id(queueIdPattern, 'a queue id')).max(50).default([]),
  /** Chats, SMS and emails the agent handles at once. */
  maxChats: z.number().int().min(0).max(20).default(3),
});
export type AgentInput = z.input<typeof agentInput>;
