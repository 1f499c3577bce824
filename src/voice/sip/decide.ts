import type { CallerCard } from '../../context/card';
import type { Conversation } from '../../context/conversations';
import { conversationHeader, customerHeader } from '../caller';
import type { RejectAction } from './settings';

/**
 * Where an INVITE goes, decided from facts alone: no Redis, no SIP. The
 * handler gathers the facts within its time budget and carries the decision
 * out; everything that can be argued about lives here and is unit-tested.
 */

export type RoutingDecision =
  | { action: 'reject'; status: 403 | 603; reason: RejectReason }
  | { action: 'drop'; reason: RejectReason }
  | {
      action: 'agent';
      agentId: string;
      contact: string;
      headers: Record<string, string>;
    }
  | { action: 'ivr'; uri: string; headers: Record<string, string> };

export type RejectReason = 'blocked' | 'scanner';

export type Presence = 'available' | 'busy' | 'away';

/** The agent the caller would be sent to, as Redis knows them now. */
export interface AgentReach {
  agentId: string;
  /** The contact of a live registration; absent when not registered. */
  contact: string | undefined;
  presence: Presence;
}

export interface RoutingFacts {
  /** E.164 when the caller gave a usable number; else unknown. */
  callerNumber: string | undefined;
  userAgent: string | undefined;
  /** Absent for unknown callers and lookups past the time budget. */
  card: CallerCard | undefined;
  agent: AgentReach | undefined;
}

export interface RoutingPolicy {
  ivrUri: string;
  blockedNumbers: ReadonlySet<string>;
  isScanner: (userAgent: string | undefined) => boolean;
  rejectAction: RejectAction;
}

/** A refusal for a blocked number or a scanner, before any lookup. */
export function screen(
  facts: Pick<RoutingFacts, 'callerNumber' | 'userAgent'>,
  policy: RoutingPolicy,
): Extract<RoutingDecision, { action: 'reject' | 'drop' }> | undefined {
  let reason: RejectReason | undefined;
  if (policy.isScanner(facts.userAgent)) {
    reason = 'scanner';
  } else if (
    facts.callerNumber !== undefined &&
    policy.blockedNumbers.has(facts.callerNumber)
  ) {
    reason = 'blocked';
  }
  if (reason === undefined) {
    return undefined;
  }
  return policy.rejectAction === 'drop'
    ? { action: 'drop', reason }
    : { action: 'reject', status: policy.rejectAction, reason };
}

export function decideRoute(
  facts: RoutingFacts,
  policy: RoutingPolicy,
): RoutingDecision {
  const refusal = screen(facts, policy);
  if (refusal) {
    return refusal;
  }
  const headers = contextHeaders(facts.card);
  const agent = facts.agent;
  if (
    facts.card !== undefined &&
    agent !== undefined &&
    agent.agentId === candidateAgent(facts.card) &&
    agent.contact !== undefined &&
    agent.presence === 'available'
  ) {
    return {
      action: 'agent',
      agentId: agent.agentId,
      contact: agent.contact,
      headers,
    };
  }
  return { action: 'ivr', uri: policy.ivrUri, headers };
}

/**
 * The agent a known caller belongs with: the one on their most recently
 * updated open conversation, else the customer's preferred agent.
 */
export function candidateAgent(card: CallerCard): string | undefined {
  const withAgent = latestOpen(card).find(
    (conversation) => conversation.agentId !== undefined,
  );
  return withAgent?.agentId ?? card.customer.preferredAgent;
}

/** X-Bridgeline-Customer and -Conversation, as the IVR's webhook reads them. */
export function contextHeaders(
  card: CallerCard | undefined,
): Record<string, string> {
  if (card === undefined) {
    return {};
  }
  const headers: Record<string, string> = {
    [customerHeaderName]: card.customer.id,
  };
  const conversation = latestOpen(card)[0];
  if (conversation !== undefined) {
    headers[conversationHeaderName] = conversation.id;
  }
  return headers;
}

function latestOpen(card: CallerCard): Conversation[] {
  return [...card.conversations.open].sort((a, b) =>
    b.updatedAt.localeCompare(a.updatedAt),
  );
}

// x-bridgeline-customer -> X-Bridgeline-Customer: the IVR matches either,
// but people reading a SIP trace expect the conventional capitals.
function headerName(lower: string): string {
  return lower.replace(
    /(^|-)([a-z])/g,
    (_m, dash: string, letter: string) => `${dash}${letter.toUpperCase()}`,
  );
}
const customerHeaderName = headerName(customerHeader);
const conversationHeaderName = headerName(conversationHeader);

/**
 * The Contact of a 302 for a decision: RFC 3261 §19.1.1 lets a URI carry
 * headers after '?', which the caller's UA copies into the new INVITE, so
 * the context headers survive a redirect.
 */
export function redirectContact(
  uri: string,
  headers: Record<string, string>,
): string {
  const query = Object.entries(headers)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  if (query === '') {
    return `<${uri}>`;
  }
  return `<${uri}${uri.includes('?') ? '&' : '?'}${query}>`;
}
