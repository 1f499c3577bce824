import type { Acd, EnqueueResult, OfferGoneReason } from '../agents/acd';
import { BridgelineError } from '../errors';
import type { Contact, Offer } from '../agents/types';
import type { ContextStore } from '../context/store';
import type { Logger } from '../log';
import type {
  EffectRequest,
  QueueCaller,
  QueuePlacement,
  QueueResult,
} from '../ivr/types';
import type { OfferRef, QueueCalls } from './queue-calls';
import { QueueDials } from './queue-dials';
import { agentIdPattern } from './sip/keys';

/**
 * Calls routed to agents through the ACD. A queue node's effect enqueues
 * the call as a voice contact; an agent picked at once is dialled in the
 * same webhook's answer, after the ACD's onOffer hooks (the desktop's
 * screen-pop first) have run. A call that waits is moved to the agent the
 * ACD offers it to later with the jambonz REST API (jambonz docs, "Update
 * a call": call_hook redirects a live call to a new application); without
 * the REST API, its next waitHook answers `leave` and the enqueue's
 * action hook dials the agent.
 *
 * The ACD's offer is accepted when the agent's leg answers (the dial's
 * confirmHook), or earlier by the desktop's accept; the dial ending
 * finishes the contact, with wrap-up. A caller who hangs up first is
 * counted abandoned.
 */

export type QueueRequest = Extract<EffectRequest, { kind: 'queue' }>;

/** The jambonz REST call a waiting call is moved with. */
export type Redirect = (callSid: string, callHookUrl: string) => Promise<void>;

export interface QueueRoutingOptions {
  acd: Pick<
    Acd,
    'enqueue' | 'accept' | 'decline' | 'finish' | 'abandon' | 'position'
  >;
  calls: QueueCalls;
  store: Pick<ContextStore, 'cardById'>;
  /** The SIP user of an agent's account. */
  sipUserOf: (agentId: string) => Promise<string | undefined>;
  /** SIP_DOMAIN: an agent is dialled at sip:<sipUser>@<domain>. */
  sipDomain: string;
  /** Undefined while the jambonz REST API is not configured. */
  redirect: Redirect | undefined;
  publicBaseUrl: () => string;
  logger: Logger;
  now?: () => number;
  /** Seconds an agent has after a call before the next contact. */
  wrapUpSeconds?: number;
}

/** How long the agent's phone rings when the offer's time is unknown. */
const defaultRingSeconds = 15;

/** The contact of a call: retried webhooks of one call find the same. */
export function contactIdOf(callSid: string): string {
  return `call-${callSid}`;
}

export class QueueRouting {
  /** The ACD told how each agent's dial went and how the call ended. */
  readonly dials: QueueDials;
  private readonly now: () => number;

  constructor(private readonly options: QueueRoutingOptions) {
    this.now = options.now ?? (() => Date.now());
    this.dials = new QueueDials({
      acd: options.acd,
      calls: options.calls,
      ...(options.wrapUpSeconds === undefined
        ? {}
        : { wrapUpSeconds: options.wrapUpSeconds }),
    });
  }

  /** Routing runs whenever the ACD does; a queue it lacks is unavailable. */
  available(): boolean {
    return true;
  }

  /** The queue node's effect: the call enqueued, and where it went. */
  async perform(
    caller: QueueCaller,
    request: QueueRequest,
  ): Promise<QueueResult> {
    const { calls } = this.options;
    const { callSid } = caller;
    const contactId = contactIdOf(callSid);
    const priority = Math.max(1, Math.min(9, request.priority));
    await calls.begin(callSid, {
      contactId,
      queue: request.queue,
      skills: request.skills,
      priority,
    });
    const preferred = await this.preferredAgent(caller);
    const result = await this.enqueue({
      id: contactId,
      kind: caller.queuedSince === undefined ? 'voice' : 'callback',
      queue: request.queue,
      skills: request.skills,
      priority,
      callSid,
      enqueuedAt: caller.queuedSince ?? this.now(),
      ...(caller.customerId === undefined
        ? {}
        : { customerId: caller.customerId }),
      ...(caller.conversationId === undefined
        ? {}
        : { conversationId: caller.conversationId }),
      ...(preferred === undefined ? {} : { preferredAgentId: preferred }),
    });
    if (result.status === 'closed') {
      return { outcome: 'unavailable' };
    }
    if (result.status === 'offered') {
      const offer = refOf(result.offer);
      await calls.dialing(callSid, offer);
      return this.dial(callSid, contactId, offer);
    }
    // An offer made between the enqueue and now is this webhook's to dial.
    const offer = await calls.settle(callSid);
    if (offer) {
      return this.dial(callSid, contactId, offer);
    }
    const { position, estimatedWaitSeconds } = result;
    return {
      outcome: 'done',
      placement: { placed: 'waiting', position, estimatedWaitSeconds },
    };
  }

  /**
   * The ACD's onOffer, after the desktop's screen-pop: a waiting call is
   * moved to the agent. An offer for a call a webhook is routing is only
   * noted; that webhook dials it.
   */
  async onOffer(offer: Offer): Promise<void> {
    const callSid = callOf(offer.contact);
    if (callSid === undefined) {
      return;
    }
    const { calls, redirect, logger } = this.options;
    const noted = await calls.noteOffer(callSid, refOf(offer));
    if (noted !== 'move') {
      return;
    }
    const log = logger.child({ callSid, offerId: offer.offerId });
    if (!redirect) {
      // The next waitHook takes the caller out of the queue instead.
      await calls.setPhase(callSid, 'leaving');
      log.info({ agentId: offer.agentId }, 'waiting call to leave its queue');
      return;
    }
    try {
      await redirect(
        callSid,
        `${this.options.publicBaseUrl()}/jambonz/queue-connect`,
      );
      log.info({ agentId: offer.agentId }, 'waiting call moved to an agent');
    } catch (err) {
      // The caller keeps waiting; the next agent free may have more luck.
      log.error({ err }, 'waiting call not moved to its agent');
      await calls.setPhase(callSid, 'waiting');
      await this.options.acd
        .decline(offer.agentId, offer.offerId)
        .catch(() => undefined);
    }
  }

  /** An accepted offer stays the call's: its agent is on it now. */
  async onOfferGone(offer: Offer, why: OfferGoneReason): Promise<void> {
    const callSid = callOf(offer.contact);
    if (callSid !== undefined && why !== 'accepted') {
      await this.options.calls.forgetOffer(callSid, offer.offerId);
    }
  }

  /**
   * The call hook of a call the REST API moved: its offer, or routing run
   * again when the offer went meanwhile (expired, or the agent left).
   */
  async connect(caller: QueueCaller): Promise<QueueResult> {
    const { calls } = this.options;
    const call = await calls.load(caller.callSid);
    if (!call) {
      return { outcome: 'unavailable' };
    }
    if (
      (call.phase === 'connecting' || call.phase === 'leaving') &&
      call.offer
    ) {
      await calls.dialing(caller.callSid, call.offer);
      return this.dial(caller.callSid, call.contactId, call.offer);
    }
    const { queue, skills, priority } = call;
    return this.perform(caller, { kind: 'queue', queue, skills, priority });
  }

  /**
   * The enqueue's action hook of a call its waitHook told to leave the
   * queue for an agent: where it goes now. Undefined for any other call.
   */
  async leftQueue(caller: QueueCaller): Promise<QueueResult | undefined> {
    const call = await this.options.calls.load(caller.callSid);
    return call?.phase === 'leaving' ? this.connect(caller) : undefined;
  }

  /** A queue the ACD does not have is a node's on.unavailable, not a fault. */
  private async enqueue(
    contact: Parameters<QueueRoutingOptions['acd']['enqueue']>[0],
  ): Promise<EnqueueResult> {
    try {
      return await this.options.acd.enqueue(contact);
    } catch (err) {
      if (
        err instanceof BridgelineError &&
        err.code === 'BL_ERR_QUEUE_NOT_FOUND'
      ) {
        this.options.logger.info(
          { callSid: contact.callSid, queue: contact.queue },
          'no such queue for a call; the flow goes on',
        );
        return { status: 'closed', state: 'no-queue' };
      }
      throw err;
    }
  }

  private async dial(
    callSid: string,
    contactId: string,
    offer: OfferRef,
  ): Promise<QueueResult> {
    const sipUser = await this.options.sipUserOf(offer.agentId);
    if (sipUser === undefined) {
      // An account removed mid-offer: nobody to ring.
      await this.options.acd.decline(offer.agentId, offer.offerId);
      await this.options.calls.forgetOffer(callSid, offer.offerId);
      return { outcome: 'unavailable' };
    }
    const left = Math.round((offer.expiresAt - this.now()) / 1000);
    const placement: QueuePlacement = {
      placed: 'agent',
      sipUri: `sip:${sipUser}@${this.options.sipDomain}`,
      ringSeconds: left > 0 ? Math.max(5, left) : defaultRingSeconds,
    };
    this.options.logger.info(
      { callSid, contactId, agentId: offer.agentId },
      'queued call dials its agent',
    );
    return { outcome: 'done', placement };
  }

  /** The open conversation's agent, or the customer's preferred one. */
  private async preferredAgent(
    caller: QueueCaller,
  ): Promise<string | undefined> {
    if (caller.customerId === undefined) {
      return undefined;
    }
    const card = await this.options.store.cardById(caller.customerId);
    const conversation = card?.conversations.open.find(
      (open) => open.id === caller.conversationId,
    );
    const agentId = conversation?.agentId ?? card?.customer.preferredAgent;
    // Free text on the customer's record: only a real agent id routes.
    return agentId !== undefined && agentIdPattern.test(agentId)
      ? agentId
      : undefined;
  }
}

function callOf(contact: Contact): string | undefined {
  const isCall = contact.kind === 'voice' || contact.kind === 'callback';
  return isCall ? contact.callSid : undefined;
}

function refOf(offer: Offer): OfferRef {
  const { offerId, agentId, expiresAt } = offer;
  return { offerId, agentId, expiresAt };
}
