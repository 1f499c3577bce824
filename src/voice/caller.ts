import type { CallerCard } from '../context/card';
import type { Conversation } from '../context/conversations';
import { conversationIdPattern, customerIdPattern } from '../context/keys';
import type { ContextStore } from '../context/store';
import { maskPhone } from '../log';
import type { CallLog } from './call-steps';
import type { CallPayload } from './payloads';

/**
 * Who is calling, and which of their conversations the call belongs to.
 *
 * bridgeline's SIP edge may already know both and says so in two INVITE
 * headers, which jambonz passes on in `sip.headers`: X-Bridgeline-Customer
 * and X-Bridgeline-Conversation. Anyone can put a header in an INVITE, so
 * they are believed only from a webhook that passed the signature check
 * (or from a deployment that chose to run without one).
 */

export const customerHeader = 'x-bridgeline-customer';
export const conversationHeader = 'x-bridgeline-conversation';

/** A voice conversation touched this recently is the same journey. */
export const continueWithinMs = 60 * 60 * 1000;

/** A header's value; SIP header names are case-insensitive (RFC 3261 7.3.5). */
export function sipHeader(
  payload: CallPayload,
  name: string,
): string | undefined {
  const headers = payload.sip?.headers ?? {};
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === 'string') {
      return value.trim();
    }
  }
  return undefined;
}

/**
 * The caller's context card, from one lookup: by the SIP edge's customer
 * header when it is trusted and well formed, else by the calling number.
 * Withheld, anonymous or unparsable numbers are an unknown caller, never
 * an error.
 */
export async function identifyCaller(
  store: ContextStore,
  payload: CallPayload,
  trustSipHeaders: boolean,
  log: CallLog,
): Promise<CallerCard | undefined> {
  const named = trustSipHeaders
    ? sipHeader(payload, customerHeader)
    : undefined;
  if (named !== undefined && customerIdPattern.test(named)) {
    const card = await store.callerCardById(named);
    if (card) {
      return card;
    }
    log.warn('the SIP edge named a customer who does not exist');
  }

  let phone: string;
  try {
    phone = store.normalizeIdentity('phone', payload.from).value;
  } catch {
    log.debug({ from: maskPhone(payload.from) }, 'caller number unusable');
    return undefined;
  }
  return store.callerCardByIdentity({ kind: 'phone', value: phone });
}

/**
 * The conversation a known caller's call continues, if any: the one the SIP
 * edge named when it is still open, else an open conversation that was on
 * the phone within the last hour (a dropped call called back).
 */
export function continuedConversation(
  card: CallerCard,
  named: string | undefined,
  now: Date,
): Conversation | undefined {
  const open = card.conversations.open;
  if (named !== undefined && conversationIdPattern.test(named)) {
    const match = open.find((conversation) => conversation.id === named);
    if (match) {
      return match;
    }
  }
  return open.find(
    (conversation) =>
      conversation.currentChannel === 'voice' &&
      now.getTime() - Date.parse(conversation.updatedAt) <= continueWithinMs,
  );
}
