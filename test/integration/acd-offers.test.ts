import { until } from '../support/callbacks';
import {
  aContact,
  acdOnOwnRedis,
  anAgentId,
  availableAgents,
} from '../support/acd';

const bed = acdOnOwnRedis();

describe('acd offers', () => {
  beforeEach(async () => {
    await bed.acd.defineQueue('support', {
      name: 'Support',
      offerTimeoutSeconds: 10,
    });
  });

  describe('when an offer times out', () => {
    it('moves it to the next agent and puts the first away', async () => {
      const [first, second] = [anAgentId(), anAgentId()];
      await availableAgents(bed.acd, bed.clock, [first, second]);
      const contact = aContact();
      await bed.acd.enqueue(contact);
      const [offer] = bed.hooks.offers;
      expect(offer?.expiresAt).toBe(bed.clock.now() + 10_000);

      bed.clock.advance(9);
      await bed.acd.sweep();
      expect(bed.hooks.offers).toHaveLength(1);

      bed.clock.advance(1);
      await bed.acd.sweep();

      expect(bed.hooks.gone).toEqual([{ offer, why: 'expired' }]);
      expect(bed.hooks.offers[1]).toMatchObject({
        agentId: second,
        contact: { id: contact.id },
      });
      expect(await bed.acd.agent(first)).toMatchObject({
        state: 'away',
        reason: 'missed-offer',
      });
      await expect(
        bed.acd.accept(first, offer?.offerId ?? ''),
      ).rejects.toMatchObject({ code: 'BL_ERR_OFFER_NOT_FOUND' });
    });

    it('moves it once when two instances sweep together', async () => {
      const agents = [anAgentId(), anAgentId(), anAgentId()];
      await availableAgents(bed.acd, bed.clock, agents);
      await bed.acd.enqueue(aContact());
      const others = [bed.another(), bed.another()];

      bed.clock.advance(10);
      await Promise.all([bed.acd, ...others].map((acd) => acd.sweep()));

      expect(bed.hooks.gone.map((gone) => gone.why)).toEqual(['expired']);
      expect(bed.hooks.offers.map((offer) => offer.agentId)).toEqual(
        agents.slice(0, 2),
      );
    });

    it('is swept by a started instance on its own', async () => {
      const [first, second] = [anAgentId(), anAgentId()];
      await availableAgents(bed.acd, bed.clock, [first, second]);
      await bed.acd.enqueue(aContact());
      const sweeping = bed.another({ sweepIntervalMs: 20 });
      sweeping.start();

      bed.clock.advance(10);

      await until(() => bed.hooks.offers.length === 2);
      expect(bed.hooks.offers[1]?.agentId).toBe(second);
    });

    it('waits in the queue when nobody else can take it', async () => {
      const [only] = [anAgentId()];
      await availableAgents(bed.acd, bed.clock, [only]);
      const contact = aContact();
      await bed.acd.enqueue(contact);

      bed.clock.advance(10);
      await bed.acd.sweep();

      expect(await bed.acd.position(contact.id)).toMatchObject({
        position: 1,
      });
      // Back from away, the agent who missed it is offered it again.
      await bed.acd.setState(only, 'available');
      expect(bed.hooks.offers.map((offer) => offer.agentId)).toEqual([
        only,
        only,
      ]);
    });
  });

  describe('when an agent declines', () => {
    it('offers the contact to the next agent, never back to them', async () => {
      const [first, second] = [anAgentId(), anAgentId()];
      await availableAgents(bed.acd, bed.clock, [first, second]);
      const contact = aContact();
      await bed.acd.enqueue(contact);

      await bed.acd.decline(first, bed.hooks.offers[0]?.offerId ?? '');
      expect(bed.hooks.offers[1]?.agentId).toBe(second);
      await bed.acd.decline(second, bed.hooks.offers[1]?.offerId ?? '');

      expect(bed.hooks.offers).toHaveLength(2);
      expect(await bed.acd.position(contact.id)).toMatchObject({
        position: 1,
      });
      expect((await bed.acd.agent(first)).state).toBe('available');
    });

    it("refuses to act on another agent's offer", async () => {
      const [first, second] = [anAgentId(), anAgentId()];
      await availableAgents(bed.acd, bed.clock, [first, second]);
      await bed.acd.enqueue(aContact());
      const offerId = bed.hooks.offers[0]?.offerId ?? '';

      for (const act of [
        () => bed.acd.decline(second, offerId),
        () => bed.acd.accept(second, offerId),
      ]) {
        await expect(act()).rejects.toMatchObject({
          code: 'BL_ERR_OFFER_NOT_FOUND',
        });
      }
      expect(bed.hooks.gone).toEqual([]);
    });
  });

  describe('when an agent finishes a contact', () => {
    it('wraps up, then is available and offered the next', async () => {
      const agent = anAgentId();
      await availableAgents(bed.acd, bed.clock, [agent]);
      const first = aContact();
      await bed.acd.enqueue(first);
      await bed.acd.accept(agent, bed.hooks.offers[0]?.offerId ?? '');
      const next = aContact();
      expect((await bed.acd.enqueue(next)).status).toBe('waiting');

      await bed.acd.finish(agent, first.id, 30);
      expect((await bed.acd.agent(agent)).state).toBe('wrap-up');
      bed.clock.advance(29);
      await bed.acd.sweep();
      expect(bed.hooks.offers).toHaveLength(1);

      bed.clock.advance(1);
      await bed.acd.sweep();

      expect(bed.hooks.offers[1]?.contact.id).toBe(next.id);
      expect((await bed.acd.agent(agent)).state).toBe('available');
    });

    it('offers the next at once when there is no wrap-up', async () => {
      const agent = anAgentId();
      await availableAgents(bed.acd, bed.clock, [agent]);
      const [first, next] = [aContact(), aContact()];
      await bed.acd.enqueue(first);
      await bed.acd.accept(agent, bed.hooks.offers[0]?.offerId ?? '');
      await bed.acd.enqueue(next);

      await bed.acd.finish(agent, first.id);

      expect(bed.hooks.offers[1]?.contact.id).toBe(next.id);
    });

    it("refuses to finish a contact that is not the agent's own", async () => {
      const [first, second] = [anAgentId(), anAgentId()];
      await availableAgents(bed.acd, bed.clock, [first, second]);
      const contact = aContact();
      await bed.acd.enqueue(contact);
      await bed.acd.accept(first, bed.hooks.offers[0]?.offerId ?? '');

      await expect(bed.acd.finish(second, contact.id)).rejects.toMatchObject({
        code: 'BL_ERR_OFFER_NOT_FOUND',
      });
    });
  });

  describe('when an agent changes state', () => {
    it('refuses available while a call is connected', async () => {
      const agent = anAgentId();
      await availableAgents(bed.acd, bed.clock, [agent]);
      await bed.acd.enqueue(aContact());
      await bed.acd.accept(agent, bed.hooks.offers[0]?.offerId ?? '');

      for (const state of ['available', 'away', 'offline'] as const) {
        await expect(bed.acd.setState(agent, state)).rejects.toMatchObject({
          code: 'BL_ERR_AGENT_STATE',
        });
      }
    });

    it('withdraws a pending offer when the agent goes away', async () => {
      const [first, second] = [anAgentId(), anAgentId()];
      await availableAgents(bed.acd, bed.clock, [first, second]);
      await bed.acd.enqueue(aContact());

      await bed.acd.setState(first, 'away', 'break');

      expect(bed.hooks.gone.map((gone) => gone.why)).toEqual(['withdrawn']);
      expect(bed.hooks.offers[1]?.agentId).toBe(second);
    });
  });
});
