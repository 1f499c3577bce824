import { sipKeys } from '../../src/voice/sip/keys';
import { writePresence } from '../../src/agents/acd/presence';
import {
  aContact,
  acdOnOwnRedis,
  anAgentId,
  availableAgents,
} from '../support/acd';

const bed = acdOnOwnRedis();

describe('acd agents', () => {
  describe('when agents handle chats', () => {
    it('gives an agent chats up to maxChats and then no more', async () => {
      const agent = anAgentId();
      await availableAgents(bed.acd, bed.clock, [agent], { maxChats: 2 });

      for (let i = 0; i < 2; i += 1) {
        await bed.acd.enqueue(aContact({ kind: 'chat' }));
        await bed.acd.accept(agent, bed.hooks.offers.at(-1)?.offerId ?? '');
      }
      const third = await bed.acd.enqueue(aContact({ kind: 'sms' }));

      expect(third.status).toBe('waiting');
      expect(await bed.acd.agent(agent)).toMatchObject({
        state: 'on-contact',
        chats: 2,
      });
    });

    it('keeps an agent on one chat available for another', async () => {
      const agent = anAgentId();
      await availableAgents(bed.acd, bed.clock, [agent], { maxChats: 3 });
      await bed.acd.enqueue(aContact({ kind: 'chat' }));
      await bed.acd.accept(agent, bed.hooks.offers[0]?.offerId ?? '');

      const email = await bed.acd.enqueue(aContact({ kind: 'email' }));
      const call = await bed.acd.enqueue(aContact({ kind: 'voice' }));

      expect(email.status).toBe('offered');
      expect(call.status).toBe('waiting');
      expect((await bed.acd.agent(agent)).state).toBe('available');
    });

    it('gives no chat to an agent on a call', async () => {
      const agent = anAgentId();
      await availableAgents(bed.acd, bed.clock, [agent], { maxChats: 3 });
      await bed.acd.enqueue(aContact({ kind: 'callback' }));
      await bed.acd.accept(agent, bed.hooks.offers[0]?.offerId ?? '');

      const chat = await bed.acd.enqueue(aContact({ kind: 'chat' }));

      expect(chat.status).toBe('waiting');
      expect((await bed.acd.agent(agent)).state).toBe('on-contact');
    });
  });

  describe('when accounts change', () => {
    it('lets an agent on chats take a call when so configured', async () => {
      const acd = bed.another({ callsWhileChatting: true });
      const agent = anAgentId();
      await availableAgents(acd, bed.clock, [agent]);
      await acd.enqueue(aContact({ kind: 'chat' }));
      await acd.accept(agent, bed.hooks.offers[0]?.offerId ?? '');

      expect((await acd.enqueue(aContact({ kind: 'voice' }))).status).toBe(
        'offered',
      );
    });

    it('offers a waiting contact of a queue an agent is given', async () => {
      await bed.acd.defineQueue('sales', { name: 'Sales' });
      const agent = anAgentId();
      await availableAgents(bed.acd, bed.clock, [agent]);
      const contact = aContact({ queue: 'sales' });
      await bed.acd.enqueue(contact);

      await bed.acd.upsertAgent({ id: agent, queues: ['support', 'sales'] });

      expect(bed.hooks.offers[0]?.contact.id).toBe(contact.id);
      expect((await bed.acd.stats('sales')).agentsStaffed).toBe(1);
    });

    it('moves the offer of a removed agent to the next', async () => {
      const [first, second] = [anAgentId(), anAgentId()];
      await availableAgents(bed.acd, bed.clock, [first, second]);
      await bed.acd.enqueue(aContact());

      await bed.acd.removeAgent(first);

      expect(bed.hooks.gone.map((gone) => gone.why)).toEqual(['withdrawn']);
      expect(bed.hooks.offers[1]?.agentId).toBe(second);
      await expect(bed.acd.agent(first)).rejects.toMatchObject({
        code: 'BL_ERR_ACCOUNT_NOT_FOUND',
      });
    });
  });

  describe('what other parts of bridgeline read', () => {
    it('keeps the SIP edge presence key in step', async () => {
      const agent = anAgentId();
      const presence = () =>
        bed.redis.client.hget(sipKeys.presence(agent), 'state');
      await bed.acd.upsertAgent({ id: agent, queues: ['support'] });
      expect(await presence()).toBe('away');

      await bed.acd.setState(agent, 'available');
      expect(await presence()).toBe('available');

      await bed.acd.enqueue(aContact());
      await bed.acd.accept(agent, bed.hooks.offers[0]?.offerId ?? '');
      expect(await presence()).toBe('busy');
    });

    it('forgets a removed agent, registration included, so the edge routes nobody to them', async () => {
      const agent = anAgentId();
      await bed.acd.upsertAgent({ id: agent, queues: ['support'] });
      await bed.acd.setState(agent, 'available');
      await bed.redis.client.hset(sipKeys.registration(agent), {
        contact: 'sip:agent@192.0.2.10:5060',
      });

      await bed.acd.removeAgent(agent);

      expect(await bed.redis.client.exists(sipKeys.presence(agent))).toBe(0);
      expect(await bed.redis.client.exists(sipKeys.registration(agent))).toBe(
        0,
      );
    });

    it('drops a presence write older than the one stored', async () => {
      const agent = anAgentId();
      await availableAgents(bed.acd, bed.clock, [agent]);
      const key = sipKeys.presence(agent);
      const seq = Number(await bed.redis.client.hget(key, 'acdSeq'));

      await writePresence(bed.redis.client, { [agent]: 'away' }, seq - 1);
      expect(await bed.redis.client.hget(key, 'state')).toBe('available');
      await writePresence(bed.redis.client, { [agent]: 'away' }, seq + 1);
      expect(await bed.redis.client.hget(key, 'state')).toBe('away');
    });

    it('lists the customer as assigned from offer to finish', async () => {
      const [first, second] = [anAgentId(), anAgentId()];
      await availableAgents(bed.acd, bed.clock, [first, second]);
      const contact = aContact({ customerId: 'c42' });

      await bed.acd.enqueue(contact);
      expect(await bed.acd.assignedCustomers(first)).toEqual(['c42']);

      await bed.acd.decline(first, bed.hooks.offers[0]?.offerId ?? '');
      expect(await bed.acd.assignedCustomers(first)).toEqual([]);
      expect(await bed.acd.assignedCustomers(second)).toEqual(['c42']);

      await bed.acd.accept(second, bed.hooks.offers[1]?.offerId ?? '');
      expect(await bed.acd.assignedCustomers(second)).toEqual(['c42']);
      await bed.acd.finish(second, contact.id);
      expect(await bed.acd.assignedCustomers(second)).toEqual([]);
    });
  });
});
