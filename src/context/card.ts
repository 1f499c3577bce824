import type { Conversation } from './conversations';
import type { CustomerProfile } from './customers';
import type { TimelineEntry } from './events';
import type { IdentityLink } from './identity';

/**
 * Everything an agent, the IVR or the SIP edge needs to know about a caller
 * before answering, in one object. Redis builds it as JSON (card-lua.ts)
 * whenever something on it changes; reading it is parsing that JSON.
 */
export interface ContextCard {
  customer: CustomerProfile;
  identities: (IdentityLink & { verified: boolean })[];
  /** The identity the lookup came in by, if it came in by one. */
  matchedBy?: IdentityLink & { verified: boolean };
  conversations: { open: Conversation[]; recent: Conversation[] };
  /** The latest events across all channels, newest first. */
  timeline: TimelineEntry[];
}

/**
 * The card without its timeline: what routing a call reads (the SIP edge,
 * the IVR, a handoff or callback it offers), leaving most of the card's
 * bytes in Redis. A whole card serves wherever this one does.
 */
export type CallerCard = Omit<ContextCard, 'timeline'>;
