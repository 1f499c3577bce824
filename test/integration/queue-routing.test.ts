import type { Offer } from '../../src/agents/types';
import { QueueCalls } from '../../src/voice/queue-calls';
import {
  contactIdOf,
  QueueRouting,
  type QueueRequest,
} from '../../src/voice/queue-routing';
import { acdOnOwnRedis, availableAgents } from '../support/acd';
import { aCallSid } from '../support/jambonz';
import { silentLogger } from '../support/redis';

/**
 * Voice routing against a real ACD on a real Redis, without the webhooks:
 * what a callback keeps, and the offers that race a webhook or a failed
 * REST call.
 */

const bed = acdOnOwnRedis();

function aRouting(redirect?: (callSid: string) => Promise<void>) {
  const routing = new QueueRouting({
    acd: bed.acd,
    calls: new QueueCalls(bed.redis.client, 600),
    store: { cardById: () => Promise.resolve(undefined) },
    sipUserOf: (id) => Promise.resolve(id),
    sipDomain: 'agents.example.test',
    redirect,
    publicBaseUrl: () => 'http://bridgeline.test',
    logger: silentLogger,
    now: () => bed.clock.now(),
  });
  return routing;
}

function aCaller(extra: { queuedSince?: number } = {}) {
  return { callSid: aCallSid(), flowId: 'main', path: ['agents'], ...extra };
}

const support: QueueRequest = {
  kind: 'queue',
  queue: 'support',
  skills: [],
  priority: 5,
};

describe('voice routing through the ACD', () => {
  describe('when a callback is routed', () => {
    it('it keeps the place the customer took when they asked', async () => {
      await availableAgents(bed.acd, bed.clock, ['agent-cb']);
      const askedAt = bed.clock.now() - 15 * 60_000;

      const result = await aRouting().perform(
        aCaller({ queuedSince: askedAt }),
        support,
      );

      expect(result).toMatchObject({
        outcome: 'done',
        placement: {
          placed: 'agent',
          sipUri: 'sip:agent-cb@agents.example.test',
        },
      });
      expect(bed.hooks.offers[0]?.contact).toMatchObject({
        kind: 'callback',
        enqueuedAt: askedAt,
      });
    });
  });

  describe('when an agent frees up while the caller waits', () => {
    it('it declines for them and keeps the caller waiting when the REST API fails', async () => {
      const moved: string[] = [];
      const routing = aRouting((callSid) => {
        moved.push(callSid);
        return Promise.reject(new Error('jambonz answered 503'));
      });
      const caller = aCaller();
      const waiting = await routing.perform(caller, support);
      expect(waiting).toMatchObject({ placement: { placed: 'waiting' } });
      await bed.acd.upsertAgent({ id: 'agent-w', queues: ['support'] });

      await bed.acd.setState('agent-w', 'available');
      const offer = bed.hooks.offers.at(-1);
      if (!offer) {
        throw new Error('the ACD offered nothing');
      }
      await routing.onOffer(offer);

      expect(moved).toEqual([caller.callSid]);
      expect(bed.hooks.gone.map((gone) => gone.why)).toContain('declined');
      const call = await routing.dials.place(caller.callSid);
      expect(call?.position).toBe(1);
    });
  });

  describe('when an offer comes while a webhook is routing the call', () => {
    it('it leaves the dial to that webhook and never redirects', async () => {
      const moved: string[] = [];
      const routing = aRouting((callSid) => {
        moved.push(callSid);
        return Promise.resolve();
      });
      await availableAgents(bed.acd, bed.clock, ['agent-r']);
      const caller = aCaller();

      const result = await routing.perform(caller, support);
      const offer: Offer | undefined = bed.hooks.offers.at(-1);
      if (offer) {
        await routing.onOffer(offer);
      }

      expect(result).toMatchObject({ placement: { placed: 'agent' } });
      expect(offer?.contact.id).toBe(contactIdOf(caller.callSid));
      expect(moved).toEqual([]);
    });
  });
});
