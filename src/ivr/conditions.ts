import type { CallerCard } from '../context/card';
import type { Conversation } from '../context/conversations';
import type { Condition } from './flow';
import { fullMatch } from './patterns';

/**
 * The tests a branch node runs over what bridgeline knows about the caller
 * (their context card) and the call so far (flow variables).
 */

export interface ConditionFacts {
  card: CallerCard | undefined;
  vars: Record<string, string>;
  now: Date;
  /**
   * The conversation this call itself belongs to. The webhook may open it
   * before the flow starts; it is never "another open conversation" the
   * caller might be calling about.
   */
  ownConversationId?: string | undefined;
}

const hourMs = 60 * 60 * 1000;

/**
 * The caller's open conversations other than this call's own, most recently
 * updated first. The card's open list also holds pending ones: both are
 * unfinished business for the caller.
 */
export function otherOpenConversations(
  card: CallerCard | undefined,
  ownConversationId: string | undefined,
): Conversation[] {
  if (!card) {
    return [];
  }
  return card.conversations.open
    .filter((conversation) => conversation.id !== ownConversationId)
    .sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
}

/** A BCP 47 tag or its prefix: `es` matches es-MX, `es-MX` only es-MX. */
function languageMatches(spoken: string | undefined, wanted: string): boolean {
  if (!spoken) {
    return false;
  }
  const tag = spoken.toLowerCase();
  const prefix = wanted.toLowerCase();
  return tag === prefix || tag.startsWith(`${prefix}-`);
}

function variableHolds(
  test: NonNullable<Condition['variable']>,
  vars: Record<string, string>,
): boolean {
  const value = Object.hasOwn(vars, test.name) ? vars[test.name] : undefined;
  if (value === undefined) {
    return false;
  }
  if (test.equals !== undefined && value !== test.equals) {
    return false;
  }
  if (test.in !== undefined && !test.in.includes(value)) {
    return false;
  }
  if (test.matches !== undefined && !fullMatch(test.matches, value)) {
    return false;
  }
  // A variable named with no test asks whether it holds anything at all.
  const tested =
    test.equals !== undefined ||
    test.in !== undefined ||
    test.matches !== undefined;
  return tested || value !== '';
}

function recentOpenConversation(
  test: NonNullable<Condition['openConversation']>,
  facts: ConditionFacts,
): boolean {
  const since = facts.now.getTime() - test.withinHours * hourMs;
  return otherOpenConversations(facts.card, facts.ownConversationId).some(
    (conversation) =>
      (test.channel === undefined ||
        conversation.currentChannel === test.channel) &&
      Date.parse(conversation.updatedAt) >= since,
  );
}

/** A condition holds when every test it names holds. */
export function holds(c: Condition, facts: ConditionFacts): boolean {
  const customer = facts.card?.customer;
  const known = facts.card !== undefined;

  if (c.caller !== undefined && known !== (c.caller === 'known')) {
    return false;
  }
  if (c.tier && !c.tier.includes(customer?.tier ?? '')) {
    return false;
  }
  if (c.language && !languageMatches(customer?.language, c.language)) {
    return false;
  }
  if (
    c.openConversation &&
    !recentOpenConversation(c.openConversation, facts)
  ) {
    return false;
  }
  if (c.variable && !variableHolds(c.variable, facts.vars)) {
    return false;
  }
  if (c.all && !c.all.every((inner) => holds(inner, facts))) {
    return false;
  }
  if (c.any && !c.any.some((inner) => holds(inner, facts))) {
    return false;
  }
  return !(c.not && holds(c.not, facts));
}
