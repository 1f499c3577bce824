import type { ContextCard } from '../../context/card';
import type { ContextStore } from '../../context/store';
import type { RedisClient } from '../../redis/connect';
import type { AgentState, Contact, Offer } from '../types';
import type { IvrStep, PushedFrame, ScreenPopFrame } from './protocol';

/**
 * The screen-pop: what an agent sees of a contact the moment routing
 * picks them, before jambonz is told to dial them. It is published on the
 * agent's Redis channel, so it reaches their desktop whichever bridgeline
 * instance holds its socket (desktop-hub.ts hands it on).
 */

export const desktopChannels = {
  /** The braces keep an agent's channel beside their keys in a cluster. */
  agent: (agentId: string) => `desktop:{${agentId}}`,
  /** Queue statistics, for every supervisor's desktop. */
  supervisors: 'desktop:supervisors',
};

export class ScreenPops {
  constructor(
    private readonly store: ContextStore,
    private readonly redis: RedisClient,
  ) {}

  /**
   * Builds the offer's pop and publishes it; resolves once Redis took it,
   * so an ACD that awaits this dials the agent only after their desktop
   * has been sent the card.
   */
  async deliver(offer: Offer): Promise<void> {
    const { customerId } = offer.contact;
    // The card is the customer's own, nothing more: a pop never carries
    // another customer's data.
    const card =
      customerId === undefined
        ? undefined
        : await this.store.cardById(customerId);
    await this.publish(offer.agentId, screenPop(offer, card));
  }

  /** Tells the agent's desktops an offer is no longer theirs to take. */
  gone(offer: Offer, why: string): Promise<void> {
    return this.publish(offer.agentId, {
      type: 'offer-gone',
      offerId: offer.offerId,
      why,
    });
  }

  /** Every desktop of the agent shows the state the ACD now holds. */
  stateChanged(
    agentId: string,
    state: AgentState,
    reason?: string,
  ): Promise<void> {
    return this.publish(agentId, {
      type: 'state',
      state,
      reason: reason ?? null,
    });
  }

  /** For supervisors' desktops, whichever instance holds them. */
  async queueChanged(queue: string, stats: object): Promise<void> {
    const frame: PushedFrame = { type: 'queue-stats', queue, stats };
    await this.redis.publish(
      desktopChannels.supervisors,
      JSON.stringify(frame),
    );
  }

  private async publish(agentId: string, frame: PushedFrame): Promise<void> {
    await this.redis.publish(
      desktopChannels.agent(agentId),
      JSON.stringify(frame),
    );
  }
}

export function screenPop(
  offer: Offer,
  card: ContextCard | undefined,
): ScreenPopFrame {
  return {
    type: 'screen-pop',
    offer,
    card: card ?? null,
    ivrPath: card ? ivrPathOf(offer.contact, card) : [],
    reason: offer.reason,
  };
}

/**
 * The IVR steps of this call (by its call sid) or, for a contact that
 * came from a call, of its conversation; oldest first. They come from the
 * card's timeline, which holds the latest CARD_EVENTS events.
 */
function ivrPathOf(contact: Contact, card: ContextCard): IvrStep[] {
  const steps: IvrStep[] = [];
  for (const entry of card.timeline) {
    if (entry.type !== 'ivr.step') {
      continue;
    }
    const ofCall =
      contact.callSid !== undefined && entry.callSid === contact.callSid;
    const ofConversation =
      contact.conversationId !== undefined &&
      entry.conversationId === contact.conversationId;
    if (ofCall || ofConversation) {
      steps.push(entry);
    }
  }
  // The card's timeline is newest first.
  return steps.reverse();
}
