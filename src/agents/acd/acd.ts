import { randomBytes } from 'node:crypto';
import { parseInput } from '../../context/validate';
import { BridgelineError, type ErrorCode } from '../../errors';
import type { Logger } from '../../log';
import type { RedisClient } from '../../redis/connect';
import type { AgentState, Contact, Offer } from '../types';
import { agentInput, contactInput, type AgentInput } from './contact-input';
import type { ContactInput } from './contact-input';
import { acdKeys, defaultHandleTimeMs, statsDays } from './keys';
import { writePresence } from './presence';
import { QueueStore, type QueueDefinition, type QueueInput } from './queues';
import {
  parseScriptResult,
  toContact,
  type OfferGoneReason,
  type ScriptResult,
} from './results';
import { scripts, type AcdScript } from './scripts';
import { queueStats, statsDay, type QueueStats } from './stats';
import { Sweeper } from './sweeper';
import { agentView, type AgentView } from './agent-view';

export interface AcdHooks {
  /** Awaited before enqueue returns: the screen-pop goes out first. */
  onOffer(offer: Offer): Promise<void>;
  onOfferGone?(offer: Offer, why: OfferGoneReason): Promise<void>;
  /** Something in the queue changed; push stats(queue) to supervisors. */
  onQueueChange?(queue: string): void;
}

export interface AcdOptions {
  redis: RedisClient;
  logger: Logger;
  clock: { now(): number };
  hooks: AcdHooks;
  /** Let an agent who is on chats take a call; off by default. */
  callsWhileChatting?: boolean;
  sweepIntervalMs?: number;
}

export type EnqueueResult =
  | { status: 'offered'; offer: Offer }
  | { status: 'waiting'; position: number; estimatedWaitSeconds: number }
  /** A retried enqueue of a contact that is answered or over. */
  | { status: 'closed'; state: string };

export interface Place {
  position: number;
  estimatedWaitSeconds: number;
}

const scriptErrors: Record<string, ErrorCode> = {
  queue: 'BL_ERR_QUEUE_NOT_FOUND',
  offer: 'BL_ERR_OFFER_NOT_FOUND',
  contact: 'BL_ERR_OFFER_NOT_FOUND',
  agent: 'BL_ERR_ACCOUNT_NOT_FOUND',
  state: 'BL_ERR_AGENT_STATE',
};

/**
 * The automatic contact distributor: agents' presence, the queues, and
 * which agent is offered which contact. Every change is one Lua script
 * (scripts.ts) over `{acd}` keys, so any number of instances can share
 * one Redis; each instance runs a sweeper for offers and wrap-ups that
 * run out.
 */
export class Acd {
  readonly queues: QueueStore;
  private readonly sweeper: Sweeper;

  constructor(private readonly options: AcdOptions) {
    this.queues = new QueueStore(options.redis);
    this.sweeper = new Sweeper({
      redis: options.redis,
      logger: options.logger,
      now: () => options.clock.now(),
      intervalMs: options.sweepIntervalMs ?? 250,
      expireOffer: (offerId) => this.run(scripts.expire, [offerId]),
      endWrapUp: (agentId) => this.run(scripts.endWrapUp, [agentId]),
    });
  }

  start(): void {
    this.sweeper.start();
  }

  /** Stops the sweeper and waits for a sweep in progress. */
  async close(): Promise<void> {
    await this.sweeper.stop();
  }

  /** One pass of the sweeper, for tests that move the clock by hand. */
  sweep(): Promise<void> {
    return this.sweeper.sweep();
  }

  async upsertAgent(raw: AgentInput): Promise<void> {
    const agent = parseInput(agentInput, raw);
    await this.run(scripts.upsertAgent, [
      agent.id,
      JSON.stringify(agent.skills),
      JSON.stringify(agent.queues),
      agent.maxChats,
    ]);
  }

  async removeAgent(agentId: string): Promise<void> {
    await this.run(scripts.removeAgent, [agentId]);
  }

  async setState(
    agentId: string,
    state: AgentState,
    reason = '',
  ): Promise<void> {
    await this.run(scripts.setState, [agentId, state, reason]);
    this.options.logger.info({ agentId, state, reason }, 'agent state set');
  }

  async agent(agentId: string): Promise<AgentView> {
    const view = await agentView(this.options.redis, agentId);
    if (!view) {
      throw new BridgelineError('BL_ERR_ACCOUNT_NOT_FOUND');
    }
    return view;
  }

  /** Customer ids the agent was offered or is handling. */
  assignedCustomers(agentId: string): Promise<string[]> {
    return this.options.redis.smembers(acdKeys.assigned(agentId));
  }

  async enqueue(raw: ContactInput): Promise<EnqueueResult> {
    const input = parseInput(contactInput, raw);
    const result = await this.run(scripts.enqueue, [JSON.stringify(input)]);
    const made = result.offers.find((o) => o?.contact.id === input.id);
    const offer = made ?? result.offer;
    if (offer) {
      return { status: 'offered', offer };
    }
    const state = result.existing ?? 'waiting';
    if (state !== 'waiting' && state !== 'offered') {
      return { status: 'closed', state };
    }
    return { status: 'waiting', ...placeOf(result) };
  }

  async accept(agentId: string, offerId: string): Promise<Contact> {
    const result = await this.run(scripts.accept, [agentId, offerId]);
    return contactOf(result);
  }

  async decline(agentId: string, offerId: string): Promise<void> {
    await this.run(scripts.decline, [agentId, offerId]);
  }

  /** Ends the agent's contact; wrap-up first when wrapUpSeconds > 0. */
  async finish(
    agentId: string,
    contactId: string,
    wrapUpSeconds = 0,
  ): Promise<Contact> {
    const seconds = Math.max(0, Math.min(3600, Math.floor(wrapUpSeconds)));
    const result = await this.run(scripts.finish, [
      agentId,
      contactId,
      seconds,
    ]);
    return contactOf(result);
  }

  /** The customer left before an agent answered; false if too late. */
  async abandon(contactId: string): Promise<boolean> {
    const result = await this.run(scripts.abandon, [contactId]);
    return result.existing === 'waiting' || result.existing === 'offered';
  }

  /** Where a waiting contact stands; undefined once it is not waiting. */
  async position(contactId: string): Promise<Place | undefined> {
    const result = await this.run(scripts.position, [contactId]);
    return result.position === undefined ? undefined : placeOf(result);
  }

  async stats(queueId: string): Promise<QueueStats> {
    const queue = await this.queues.get(queueId);
    return this.statsOf(queue);
  }

  async allStats(): Promise<QueueStats[]> {
    const queues = await this.queues.list();
    return Promise.all(queues.map((queue) => this.statsOf(queue)));
  }

  defineQueue(id: string, input: QueueInput): Promise<QueueDefinition> {
    return this.queues.define(id, input);
  }

  getQueue(id: string): Promise<QueueDefinition> {
    return this.queues.get(id);
  }

  listQueues(): Promise<QueueDefinition[]> {
    return this.queues.list();
  }

  removeQueue(id: string): Promise<void> {
    return this.queues.remove(id);
  }

  private async statsOf(queue: QueueDefinition): Promise<QueueStats> {
    const now = this.options.clock.now();
    const figures = await this.run(scripts.queueFigures, [queue.id], now);
    return queueStats(queue, figures, now);
  }

  private async run(
    script: AcdScript,
    args: (string | number)[],
    now = this.options.clock.now(),
  ): Promise<ScriptResult> {
    const json = await script.run(this.options.redis, [
      now,
      statsDay(now),
      statsDays * 24 * 60 * 60,
      this.options.callsWhileChatting ? '1' : '0',
      randomBytes(9).toString('base64url'),
      ...args,
    ]);
    const result = parseScriptResult(json);
    await this.publish(result);
    if (result.error) {
      throw new BridgelineError(
        scriptErrors[result.error] ?? 'BL_ERR_INTERNAL',
      );
    }
    return result;
  }

  // Presence first, so the SIP edge sees a busy agent before anyone is
  // told; then offers that went away, then the new ones.
  private async publish(result: ScriptResult): Promise<void> {
    const { logger, hooks, redis } = this.options;
    await writePresence(redis, result.agents, result.seq ?? 0);
    for (const queue of result.queues) {
      hooks.onQueueChange?.(queue);
    }
    for (const { offer, why } of result.gone) {
      if (!offer) {
        continue;
      }
      logger.info(
        { offerId: offer.offerId, agentId: offer.agentId, why },
        'offer ended',
      );
      await hooks.onOfferGone?.(offer, why).catch((err: unknown) => {
        logger.error({ err, offerId: offer.offerId }, 'offer hook failed');
      });
    }
    for (const offer of result.offers) {
      if (!offer) {
        continue;
      }
      logger.info(
        {
          offerId: offer.offerId,
          agentId: offer.agentId,
          contactId: offer.contact.id,
          queue: offer.contact.queue,
          reason: offer.reason,
        },
        'contact offered',
      );
      await hooks.onOffer(offer).catch((err: unknown) => {
        logger.error({ err, offerId: offer.offerId }, 'offer hook failed');
      });
    }
  }
}

function placeOf(result: ScriptResult): Place {
  const position = result.position ?? 1;
  const aht = result.ahtMs || defaultHandleTimeMs;
  const staffed = Math.max(1, result.staffed ?? 0);
  return {
    position,
    estimatedWaitSeconds: Math.round((position * aht) / 1000 / staffed),
  };
}

function contactOf(result: ScriptResult): Contact {
  if (!result.contact) {
    throw new BridgelineError('BL_ERR_OFFER_NOT_FOUND');
  }
  return toContact(result.contact);
}
