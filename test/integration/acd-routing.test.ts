import { acdKeys } from '../../src/agents/acd';
import {
  aContact,
  acdOnOwnRedis,
  anAgentId,
  availableAgents,
} from '../support/acd';

const bed = acdOnOwnRedis();

describe('acd routing', () => {
  describe('when several agents are available', () => {
    it('offers the contact to the one idle longest', async () => {
      const [first, second, third] = [anAgentId(), anAgentId(), anAgentId()];
      await availableAgents(bed.acd, bed.clock, [first, second, third]);

      const result = await bed.acd.enqueue(aContact());

      expect(result.status).toBe('offered');
      expect(bed.hooks.offers).toHaveLength(1);
      expect(bed.hooks.offers[0]).toMatchObject({
        agentId: first,
        reason: 'longest-idle',
      });
    });

    it('says only-available when one agent could take it', async () => {
      const [only] = [anAgentId()];
      await availableAgents(bed.acd, bed.clock, [only]);

      await bed.acd.enqueue(aContact());

      expect(bed.hooks.offers[0]).toMatchObject({
        agentId: only,
        reason: 'only-available',
      });
    });

    it('skips agents without every skill the contact needs', async () => {
      const [plain, french] = [anAgentId(), anAgentId()];
      await availableAgents(bed.acd, bed.clock, [plain]);
      await availableAgents(bed.acd, bed.clock, [french], {
        skills: ['fr', 'billing'],
      });

      await bed.acd.enqueue(aContact({ skills: ['fr'] }));

      expect(bed.hooks.offers.map((offer) => offer.agentId)).toEqual([french]);
    });

    it("adds the queue's own skills to the contact", async () => {
      await bed.acd.defineQueue('billing', {
        name: 'Billing',
        skills: ['billing'],
      });
      const [plain, biller] = [anAgentId(), anAgentId()];
      for (const [id, skills] of [
        [plain, []],
        [biller, ['billing']],
      ] as const) {
        await bed.acd.upsertAgent({
          id,
          skills: [...skills],
          queues: ['billing'],
        });
        await bed.acd.setState(id, 'available');
      }

      await bed.acd.enqueue(aContact({ queue: 'billing' }));

      expect(bed.hooks.offers[0]?.agentId).toBe(biller);
      expect(bed.hooks.offers[0]?.contact.skills).toEqual(['billing']);
    });
  });

  describe('when contacts wait for an agent', () => {
    it('serves higher priority first, then the oldest', async () => {
      const low = aContact({ priority: 2, enqueuedAt: bed.clock.now() - 9000 });
      const oldHigh = aContact({
        priority: 8,
        enqueuedAt: bed.clock.now() - 5000,
      });
      const newHigh = aContact({
        priority: 8,
        enqueuedAt: bed.clock.now() - 1000,
      });
      for (const contact of [low, newHigh, oldHigh]) {
        expect((await bed.acd.enqueue(contact)).status).toBe('waiting');
      }
      expect(await bed.acd.position(oldHigh.id)).toMatchObject({ position: 1 });
      expect(await bed.acd.position(low.id)).toMatchObject({ position: 3 });

      const agent = anAgentId();
      await availableAgents(bed.acd, bed.clock, [agent]);
      for (const expected of [oldHigh, newHigh, low]) {
        const offer = bed.hooks.offers.at(-1);
        expect(offer?.contact.id).toBe(expected.id);
        const contact = await bed.acd.accept(agent, offer?.offerId ?? '');
        await bed.acd.finish(agent, contact.id);
      }
    });

    it('estimates the wait from position, handle time and staff', async () => {
      const busy = anAgentId();
      await availableAgents(bed.acd, bed.clock, [busy]);
      await bed.acd.enqueue(aContact());
      await bed.acd.accept(busy, bed.hooks.offers[0]?.offerId ?? '');

      await bed.acd.enqueue(aContact());
      const second = await bed.acd.enqueue(aContact());

      // Two in line, the default 240 s handle time, one agent staffed.
      expect(second).toEqual({
        status: 'waiting',
        position: 2,
        estimatedWaitSeconds: 480,
      });
    });

    it('queues a retried enqueue of the same contact once', async () => {
      const contact = aContact();

      const first = await bed.acd.enqueue(contact);
      const again = await bed.acd.enqueue(contact);

      expect(first).toMatchObject({ status: 'waiting', position: 1 });
      expect(again).toMatchObject({ status: 'waiting', position: 1 });
      expect(await bed.redis.client.zcard(acdKeys.waiting('support'))).toBe(1);
      expect((await bed.acd.stats('support')).offered).toBe(1);

      const agent = anAgentId();
      await availableAgents(bed.acd, bed.clock, [agent]);
      const offered = await bed.acd.enqueue(contact);
      expect(offered).toMatchObject({ status: 'offered' });
      expect(bed.hooks.offers).toHaveLength(1);
    });

    it('refuses a contact for a queue that does not exist', async () => {
      await expect(
        bed.acd.enqueue(aContact({ queue: 'nowhere' })),
      ).rejects.toMatchObject({ code: 'BL_ERR_QUEUE_NOT_FOUND' });
    });
  });

  describe('when the customer has a preferred agent', () => {
    it('offers it to that agent first, though others idled longer', async () => {
      const [longIdle, preferred] = [anAgentId(), anAgentId()];
      await availableAgents(bed.acd, bed.clock, [longIdle, preferred]);

      await bed.acd.enqueue(aContact({ preferredAgentId: preferred }));

      expect(bed.hooks.offers[0]).toMatchObject({
        agentId: preferred,
        reason: 'preferred-agent',
      });
    });

    it('falls back to the longest idle when that agent is on a call', async () => {
      const [longIdle, other, preferred] = [
        anAgentId(),
        anAgentId(),
        anAgentId(),
      ];
      await availableAgents(bed.acd, bed.clock, [longIdle, other, preferred]);
      await bed.acd.enqueue(aContact({ preferredAgentId: preferred }));
      await bed.acd.accept(preferred, bed.hooks.offers[0]?.offerId ?? '');

      await bed.acd.enqueue(aContact({ preferredAgentId: preferred }));

      expect(bed.hooks.offers[1]).toMatchObject({
        agentId: longIdle,
        reason: 'longest-idle',
      });
    });
  });

  describe('when two instances share one Redis', () => {
    it('offers a contact raced by both exactly once', async () => {
      const agents = [anAgentId(), anAgentId(), anAgentId()];
      await availableAgents(bed.acd, bed.clock, agents);
      const other = bed.another();
      const contact = aContact();

      const results = await Promise.all([
        bed.acd.enqueue(contact),
        other.enqueue(contact),
        bed.acd.enqueue(contact),
        other.enqueue(contact),
      ]);

      expect(bed.hooks.offers).toHaveLength(1);
      const offerIds = results.map((result) =>
        result.status === 'offered' ? result.offer.offerId : 'none',
      );
      expect(new Set(offerIds)).toEqual(
        new Set([bed.hooks.offers[0]?.offerId]),
      );
    });

    it('never offers two contacts to one agent at once', async () => {
      const agent = anAgentId();
      await availableAgents(bed.acd, bed.clock, [agent], { maxChats: 5 });
      const other = bed.another();

      await Promise.all([
        bed.acd.enqueue(aContact({ kind: 'chat' })),
        other.enqueue(aContact({ kind: 'chat' })),
      ]);

      expect(bed.hooks.offers).toHaveLength(1);
    });
  });
});
