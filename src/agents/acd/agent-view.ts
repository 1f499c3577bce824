import { z } from 'zod';
import type { RedisClient } from '../../redis/connect';
import type { AgentState, Contact, Offer } from '../types';
import { acdKeys } from './keys';
import { toAgentState } from './presence';
import { jsonList, storedContact, toContact } from './results';

/** What an agent's desktop shows of them: state, the offer, contacts. */
export interface AgentView {
  id: string;
  state: AgentState;
  reason: string;
  /** ms since the epoch the state began. */
  since: number;
  skills: string[];
  queues: string[];
  maxChats: number;
  chats: number;
  onVoice: boolean;
  offers: Offer[];
  contacts: Contact[];
}

const storedAgent = z.object({
  state: z.string().transform((s) => toAgentState(s) ?? 'offline'),
  reason: z.string().default(''),
  since: z.coerce.number(),
  skills: z.string().transform(jsonList),
  queues: z.string().transform(jsonList),
  maxChats: z.coerce.number(),
  chats: z.coerce.number(),
  voice: z.string().transform((v) => v === '1'),
  offer: z.string().default(''),
});

const storedOffer = z.object({
  offerId: z.string(),
  agentId: z.string(),
  contactId: z.string(),
  reason: z.enum(['preferred-agent', 'longest-idle', 'only-available']),
  expiresAt: z.coerce.number(),
});

async function contactById(
  redis: RedisClient,
  id: string,
): Promise<Contact | undefined> {
  const parsed = storedContact.safeParse(
    await redis.hgetall(acdKeys.contact(id)),
  );
  return parsed.success ? toContact(parsed.data) : undefined;
}

/** Reads outside a script: a view, not a decision, so a race is harmless. */
export async function agentView(
  redis: RedisClient,
  agentId: string,
): Promise<AgentView | undefined> {
  const [raw, contactIds] = await Promise.all([
    redis.hgetall(acdKeys.agent(agentId)),
    redis.smembers(acdKeys.contacts(agentId)),
  ]);
  const agent = storedAgent.safeParse(raw);
  if (!agent.success) {
    return undefined;
  }
  const offers: Offer[] = [];
  const offer = storedOffer.safeParse(
    agent.data.offer
      ? await redis.hgetall(acdKeys.offer(agent.data.offer))
      : {},
  );
  if (offer.success && offer.data.agentId === agentId) {
    const contact = await contactById(redis, offer.data.contactId);
    if (contact) {
      const { offerId, reason, expiresAt } = offer.data;
      offers.push({ offerId, agentId, reason, expiresAt, contact });
    }
  }
  const contacts = await Promise.all(
    contactIds.sort().map((id) => contactById(redis, id)),
  );
  const { state, reason, since, skills, queues, maxChats, chats } = agent.data;
  return {
    id: agentId,
    state,
    reason,
    since,
    skills,
    queues,
    maxChats,
    chats,
    onVoice: agent.data.voice,
    offers,
    contacts: contacts.filter((contact) => contact !== undefined),
  };
}
