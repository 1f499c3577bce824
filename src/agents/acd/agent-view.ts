import { Cluster } from 'ioredis';
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

/** One agent as a supervisor's wallboard shows them: no customer data. */
export type AgentSummary = Omit<AgentView, 'offers' | 'contacts'>;

const agentKeyPattern = `${acdKeys.agent('')}*`;

/**
 * The ids of every agent the ACD holds. The agent hashes have no index
 * of their own, so this walks the keyspace with SCAN; under Cluster every
 * `{acd}` key sits on one master, but which one is not asked, each is
 * scanned.
 *
 * TODO(perf): SCAN visits every key in the database; with a large
 * customer keyspace an `{acd}:agents` set kept by the agent scripts would
 * make this one SMEMBERS.
 */
async function agentIds(redis: RedisClient): Promise<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const ids = new Set<string>();
  const prefix = acdKeys.agent('');
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(
        cursor,
        'MATCH',
        agentKeyPattern,
        'COUNT',
        500,
      );
      cursor = next;
      for (const key of keys) {
        ids.add(key.slice(prefix.length));
      }
    } while (cursor !== '0');
  }
  return [...ids].sort();
}

/** Every agent the ACD knows, by id; a view, read outside a script. */
export async function allAgents(redis: RedisClient): Promise<AgentSummary[]> {
  const ids = await agentIds(redis);
  const raws = await Promise.all(
    ids.map((id) => redis.hgetall(acdKeys.agent(id))),
  );
  const agents: AgentSummary[] = [];
  ids.forEach((id, index) => {
    const parsed = storedAgent.safeParse(raws[index]);
    if (parsed.success) {
      const { state, reason, since, skills, queues, maxChats, chats } =
        parsed.data;
      agents.push({
        id,
        state,
        reason,
        since,
        skills,
        queues,
        maxChats,
        chats,
        onVoice: parsed.data.voice,
      });
    }
  });
  return agents;
}
