/**
 * What the parts of the agent side agree on: who is asking (accounts and
 * sessions), what a contact waiting for an agent is, and what an agent is
 * offered (the ACD). Accounts, routing, the screen-pop and the desktop
 * each build on these, so each can be read and tested alone.
 */

/** Weakest first: each role may do what the ones before it may. */
export const roles = ['agent', 'supervisor', 'admin'] as const;
export type Role = (typeof roles)[number];

export function roleAtLeast(role: Role, needed: Role): boolean {
  return roles.indexOf(role) >= roles.indexOf(needed);
}

/** Who a request or a WebSocket acts for, once authenticated. */
export type Principal =
  /** ADMIN_TOKEN as a bearer token: the operator's bootstrap credential. */
  | { kind: 'bootstrap'; role: 'admin' }
  /** A logged-in account, by its session. */
  | { kind: 'account'; accountId: string; role: Role; displayName: string };

/** The channel a contact came in on. */
export const contactKinds = [
  'voice',
  'chat',
  'sms',
  'email',
  'callback',
] as const;
export type ContactKind = (typeof contactKinds)[number];

/** Something that waits for an agent: a call, a chat, a callback... */
export interface Contact {
  id: string;
  kind: ContactKind;
  queue: string;
  skills: string[];
  /** 1 (lowest) to 9 (highest); equal priorities go oldest first. */
  priority: number;
  customerId?: string;
  conversationId?: string;
  /** The agent who handled the customer's open conversation, if any. */
  preferredAgentId?: string;
  /** For voice: the jambonz call sid, to dial the agent into it. */
  callSid?: string;
  /** When the customer first joined a queue (ms); a callback keeps it. */
  enqueuedAt: number;
}

/** Why routing chose this agent, shown on the agent's screen-pop. */
export type RouteReason = 'preferred-agent' | 'longest-idle' | 'only-available';

/** A contact offered to one agent, until accepted, declined or expired. */
export interface Offer {
  offerId: string;
  agentId: string;
  contact: Contact;
  reason: RouteReason;
  /** ms since the epoch; past it the offer moves to the next agent. */
  expiresAt: number;
}

/** The states an agent is in, as the ACD and the desktop show them. */
export const agentStates = [
  'available',
  'on-contact',
  'wrap-up',
  'away',
  'offline',
] as const;
export type AgentState = (typeof agentStates)[number];
