import type { ContextCard } from '../context/card';
import type { EventInput, TimelineEntry } from '../context/events';
import type { Verification } from '../context/identity';
import type { IdentityKind } from '../context/keys';
import type { ContextStore } from '../context/store';
import { untitled, type Conversation } from '../context/conversations';

/**
 * Where a digital message belongs: whose it is and which conversation it
 * continues. Chat, SMS and email all ask the same two questions before they
 * store a word, and answer them here, so that a customer who writes on a
 * second channel lands in the journey they started on the first.
 */

export type DigitalChannel = 'chat' | 'sms' | 'email';

/** An open conversation touched this recently is the same journey. */
export const continueAcrossChannelsMs = 72 * 60 * 60 * 1000;

export interface Sender {
  kind: IdentityKind;
  /** As received; normalised here (E.164, lower-cased email). */
  value: string;
  /** How far the channel proves the sender owns it: carrier for SMS. */
  verification: Verification;
  /** Where the link came from, if it is new: `sms`, `email`, `chat`. */
  source: string;
}

export interface Placement {
  customerId: string;
  conversationId: string;
  /** True when this message opened the conversation. */
  opened: boolean;
  entries: TimelineEntry[];
}

export class Journeys {
  constructor(
    private readonly store: ContextStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * The card of the customer an identity belongs to; one is created, with
   * the identity linked, when nobody owns it yet. Throws BL_ERR_INVALID_*
   * for an identity that does not normalise.
   */
  async customerFor(sender: Sender): Promise<ContextCard> {
    const ref = this.store.normalizeIdentity(sender.kind, sender.value);
    const known = await this.store.cardByIdentity(ref);
    if (known) {
      return known;
    }
    const { customer } = await this.store.upsertCustomer({
      identities: [
        {
          kind: ref.kind,
          value: ref.value,
          verification: sender.verification,
          source: sender.source,
        },
      ],
    });
    const card = await this.store.cardById(customer.id);
    if (!card) {
      throw new Error(`customer ${customer.id} vanished as it was created`);
    }
    return card;
  }

  /**
   * The open conversation a message on `channel` continues: the one named
   * (a reply address, a link token, a chat session) while it is open, else
   * the latest open one on this channel, else the latest open one on any
   * channel touched in the last three days.
   */
  conversationFor(
    card: ContextCard,
    channel: DigitalChannel,
    named?: string,
  ): Conversation | undefined {
    const open = card.conversations.open;
    if (named !== undefined) {
      const match = open.find((conversation) => conversation.id === named);
      if (match) {
        return match;
      }
    }
    const nowMs = this.now().getTime();
    const byActivity = [...open].sort((a, b) =>
      b.updatedAt.localeCompare(a.updatedAt),
    );
    return (
      byActivity.find((c) => c.currentChannel === channel) ??
      byActivity.find(
        (c) => nowMs - Date.parse(c.updatedAt) <= continueAcrossChannelsMs,
      )
    );
  }

  /**
   * Appends `events` to the conversation chosen above, or opens one with
   * `subject` in the same write. Each event's conversationId is filled in.
   */
  async record(
    card: ContextCard,
    channel: DigitalChannel,
    events: EventInput[],
    options: { named?: string; subject: string },
  ): Promise<Placement> {
    const customerId = card.customer.id;
    const existing = this.conversationFor(card, channel, options.named);
    const opening = existing
      ? undefined
      : this.store.prepareConversation({
          subject: subjectLine(options.subject),
          channel,
        });
    const conversationId = existing?.id ?? opening?.id ?? '';
    const entries = await this.store.appendEvents(
      customerId,
      events.map((event) => ({ ...event, conversationId })),
      opening ? { opening } : {},
    );
    return { customerId, conversationId, opened: !existing, entries };
  }
}

/** A conversation's subject from free text: one line, at most 80 chars. */
export function subjectLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') {
    return untitled.digital;
  }
  return line.length <= 80 ? line : `${line.slice(0, 79)}…`;
}
