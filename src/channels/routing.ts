import type {
  Acd,
  AcdHooks,
  EnqueueResult,
  OfferGoneReason,
} from '../agents/acd';
import type { Offer } from '../agents/types';
import type { ContextCard } from '../context/card';
import type { ContextStore } from '../context/store';
import { isBridgelineError } from '../errors';
import type { Logger } from '../log';
import type { RedisClient } from '../redis/connect';
import type { Arrival, ArrivalListener } from './arrivals';
import type { DigitalChannel } from './journeys';
import type { ChannelSettings } from './settings';

/**
 * Chats, SMS and emails to agents through the ACD, as they arrive. A
 * customer's message in a conversation nobody is handling queues one
 * contact for that conversation; the agent who accepts it becomes the
 * conversation's agent, whom the customer's next contact on any channel
 * (the SIP edge and the IVR read the same field) is offered first.
 *
 * A contact's id is derived from its conversation, so every further
 * message finds the contact the ACD holds (its enqueue is idempotent by
 * id) instead of queueing another. Once the ACD answers that the contact
 * is over, the next generation of the id is queued: the generation lives
 * in Redis, so every instance derives the same id and two instances that
 * race still queue one contact.
 */

export interface ChannelRoutingSetup {
  channels: { onArrival(listener: ArrivalListener): void };
  acd: Pick<Acd, 'enqueue'>;
  /** The agent side's addHooks: where accepted offers are heard. */
  addHooks(hooks: Partial<AcdHooks>): void;
  store: ContextStore;
  queues: ChannelSettings['queues'];
  logger: Logger;
}

const digitalKinds: ReadonlySet<string> = new Set(['chat', 'sms', 'email']);

/** Kept past the ACD's day for finished contacts; then it starts at 0. */
const generationTtlSeconds = 8 * 24 * 60 * 60;
/** Past this many finished generations in one go something is wrong. */
const maxSteps = 5;

export const routingKeys = {
  generation: (conversationId: string) =>
    `routing:generation:${conversationId}`,
};

export function contactIdOf(
  channel: DigitalChannel,
  conversationId: string,
  generation: number,
): string {
  return `${channel}.${conversationId}.${generation}`;
}

export class ChannelRouter {
  private readonly redis: RedisClient;
  private readonly log: Logger;
  /** Queues already reported missing: one warning each, not one a message. */
  private readonly missingQueues = new Set<string>();

  constructor(private readonly setup: ChannelRoutingSetup) {
    this.redis = setup.store.redis;
    this.log = setup.logger.child({ component: 'channel-routing' });
  }

  /** Queues the arrival's conversation unless the ACD already holds it. */
  async route(arrival: Arrival): Promise<void> {
    const { customerId, conversationId, channel } = arrival;
    const card = await this.setup.store.cardById(customerId);
    const preferredAgentId = card
      ? preferredAgentOf(card, conversationId)
      : undefined;
    const key = routingKeys.generation(conversationId);
    let generation = Number((await this.redis.get(key)) ?? '0') || 0;

    for (let step = 0; step < maxSteps; step += 1) {
      const id = contactIdOf(channel, conversationId, generation);
      const queue = this.setup.queues[channel];
      let result: EnqueueResult;
      try {
        result = await this.setup.acd.enqueue({
          id,
          kind: channel,
          queue,
          customerId,
          conversationId,
          ...(preferredAgentId === undefined ? {} : { preferredAgentId }),
        });
      } catch (err) {
        // Until an admin defines the queue the message is only stored, as
        // before routing; the operator is told once which queue is missing.
        if (isBridgelineError(err) && err.code === 'BL_ERR_QUEUE_NOT_FOUND') {
          if (!this.missingQueues.has(queue)) {
            this.missingQueues.add(queue);
            this.log.warn({ queue, channel }, 'digital queue not defined');
          }
          return;
        }
        throw err;
      }
      // Defined now: should it go again, the operator hears of it again.
      this.missingQueues.delete(queue);
      // Connected: an agent has the conversation and reads it live.
      if (result.status !== 'closed' || result.state === 'connected') {
        this.log.debug(
          { contactId: id, customerId, status: result.status },
          'digital contact routed',
        );
        return;
      }
      generation += 1;
      await this.redis.set(key, String(generation), 'EX', generationTtlSeconds);
    }
    this.log.warn({ customerId, conversationId }, 'digital contact not queued');
  }

  /**
   * An accepted digital contact gives its conversation that agent. The
   * ACD runs this on the instance that took the accept, whether it came
   * from the desktop's socket or POST /api/agents/me/offers/:id/accept.
   */
  async offerGone(offer: Offer, why: OfferGoneReason): Promise<void> {
    const { contact } = offer;
    if (
      why !== 'accepted' ||
      !digitalKinds.has(contact.kind) ||
      contact.customerId === undefined ||
      contact.conversationId === undefined
    ) {
      return;
    }
    await this.setup.store.updateConversation(
      contact.customerId,
      contact.conversationId,
      { agentId: offer.agentId },
    );
    this.log.info(
      {
        contactId: contact.id,
        agentId: offer.agentId,
        conversationId: contact.conversationId,
      },
      'conversation given to agent',
    );
  }
}

/**
 * Who the customer belongs with: this conversation's agent, else the one
 * on their most recently updated open conversation, else the customer's
 * preferred agent, the order the SIP edge uses for a call.
 */
export function preferredAgentOf(
  card: ContextCard,
  conversationId: string,
): string | undefined {
  const { open, recent } = card.conversations;
  const own = [...open, ...recent].find((c) => c.id === conversationId);
  if (own?.agentId !== undefined) {
    return own.agentId;
  }
  const latest = [...open]
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .find((c) => c.agentId !== undefined);
  return latest?.agentId ?? card.customer.preferredAgent;
}

/**
 * Routing switched on: arrivals go to the ACD, accepted offers to the
 * conversations. Call once, after the agent side is built.
 */
export function setUpChannelRouting(setup: ChannelRoutingSetup): ChannelRouter {
  const router = new ChannelRouter(setup);
  setup.channels.onArrival((arrival) => router.route(arrival));
  setup.addHooks({
    onOfferGone: (offer, why) => router.offerGone(offer, why),
  });
  return router;
}
