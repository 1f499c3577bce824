import type { FastifyRequest } from 'fastify';
import type { ChatMessage } from '../../channels/chat/protocol';
import type { AgentState, Contact, Principal } from '../types';

/**
 * What the desktop needs from the rest of the agent side, and no more:
 * who a request acts for (accounts and sessions) and what an agent may do
 * to their own work (the ACD). Each is passed in, so the desktop can be
 * wired to the real modules or, in a test, to small ones of its own.
 */

export interface DesktopAuth {
  /** The session's principal, or undefined without a valid session. */
  authenticate(request: FastifyRequest): Promise<Principal | undefined>;
  /** False when the request's Origin is not bridgeline's own. */
  originAllowed(request: FastifyRequest): boolean;
}

/** Each rejects with a BridgelineError (BL_ERR_OFFER_NOT_FOUND...). */
export interface DesktopActions {
  setState(
    agentId: string,
    state: AgentState,
    reason?: string,
  ): Promise<unknown>;
  accept(agentId: string, offerId: string): Promise<unknown>;
  decline(agentId: string, offerId: string): Promise<unknown>;
  finish(agentId: string, contactId: string, note?: string): Promise<unknown>;
  /** The agent's state now, for a desktop that just opened. */
  current?(
    agentId: string,
  ): Promise<{ state: AgentState; reason?: string } | undefined>;
  /** A contact the agent holds, for a tab that did not see its pop. */
  contactOf?(agentId: string, contactId: string): Promise<Contact | undefined>;
  /** Every contact the agent holds, for a desktop that just opened. */
  contactsOf?(agentId: string): Promise<Contact[]>;
}

/** Live chat (src/channels/chat/live.ts), on this instance's subscriber. */
export interface DesktopLiveChat {
  watchConversation(
    customerId: string,
    conversationId: string,
    listener: (message: ChatMessage) => void,
  ): Promise<() => void>;
}
