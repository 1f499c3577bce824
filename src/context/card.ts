import { decodeConversation, pairs, type Conversation } from './conversations';
import { decodeProfile, type CustomerProfile } from './customers';
import { decodeEntry, type TimelineEntry } from './events';
import { parseIdentityField, type IdentityLink } from './identity';
import type { CardReply } from './scripts';

/**
 * Everything an agent, the IVR or the SIP edge needs to know about a caller
 * before answering, in one object.
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

export function decodeCard(
  customerId: string,
  reply: NonNullable<CardReply>,
): ContextCard {
  const [profile, identityPairs, conversationHashes, entries] = reply;

  const identities: ContextCard['identities'] = [];
  for (let i = 0; i + 1 < identityPairs.length; i += 2) {
    const link = parseIdentityField(
      identityPairs[i] as string,
      identityPairs[i + 1] as string,
    );
    if (link) {
      identities.push({
        ...link,
        verified: link.verification !== 'self_claimed',
      });
    }
  }

  const open: Conversation[] = [];
  const recent: Conversation[] = [];
  for (const flat of conversationHashes) {
    if (flat.length === 0) {
      continue; // erased or expired between index and hash
    }
    const conversation = decodeConversation(pairs(flat));
    (conversation.status === 'closed' ? recent : open).push(conversation);
  }

  return {
    customer: decodeProfile(customerId, pairs(profile)),
    identities,
    conversations: { open, recent },
    timeline: entries.map(([id, fields]) => decodeEntry(id, fields)),
  };
}
