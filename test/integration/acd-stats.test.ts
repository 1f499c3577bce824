import {
  aContact,
  acdOnOwnRedis,
  anAgentId,
  availableAgents,
} from '../support/acd';

const bed = acdOnOwnRedis();

describe('acd queue statistics', () => {
  beforeEach(async () => {
    await bed.acd.defineQueue('support', {
      name: 'Support',
      serviceLevelSeconds: 20,
    });
  });

  /** Enqueues a contact, lets it wait, and has the agent answer it. */
  async function answeredAfter(agent: string, seconds: number) {
    const contact = aContact();
    await bed.acd.enqueue(contact);
    bed.clock.advance(seconds);
    const offer = bed.hooks.offersTo(agent).at(-1);
    await bed.acd.accept(agent, offer?.offerId ?? '');
    await bed.acd.finish(agent, contact.id);
  }

  it('starts with nothing answered and no service level', async () => {
    expect(await bed.acd.stats('support')).toEqual({
      queue: 'support',
      name: 'Support',
      waiting: 0,
      longestWaitSeconds: 0,
      serviceLevel: null,
      serviceLevelSeconds: 20,
      averageSpeedOfAnswerSeconds: null,
      offered: 0,
      answered: 0,
      abandoned: 0,
      agentsAvailable: 0,
      agentsStaffed: 0,
    });
  });

  it('counts service level and average speed of answer', async () => {
    const agent = anAgentId();
    await availableAgents(bed.acd, bed.clock, [agent]);

    await answeredAfter(agent, 4);
    await answeredAfter(agent, 10);
    await answeredAfter(agent, 20);
    await answeredAfter(agent, 46);

    expect(await bed.acd.stats('support')).toMatchObject({
      offered: 4,
      answered: 4,
      // 4, 10 and 20 s are within 20 s; 46 s is not.
      serviceLevel: 0.75,
      averageSpeedOfAnswerSeconds: 20,
      agentsAvailable: 1,
      agentsStaffed: 1,
    });
  });

  it('reports how long the longest waiting contact has waited', async () => {
    await bed.acd.enqueue(aContact({ priority: 2 }));
    bed.clock.advance(30);
    await bed.acd.enqueue(aContact({ priority: 9 }));
    bed.clock.advance(15);

    expect(await bed.acd.stats('support')).toMatchObject({
      waiting: 2,
      longestWaitSeconds: 45,
    });
  });

  it('counts a caller who hangs up while waiting as abandoned', async () => {
    const contact = aContact();
    await bed.acd.enqueue(contact);

    expect(await bed.acd.abandon(contact.id)).toBe(true);
    expect(await bed.acd.abandon(contact.id)).toBe(false);

    expect(await bed.acd.stats('support')).toMatchObject({
      waiting: 0,
      abandoned: 1,
      answered: 0,
    });
    expect(await bed.acd.position(contact.id)).toBeUndefined();
  });

  it('withdraws the offer of a contact abandoned while ringing', async () => {
    const agent = anAgentId();
    await availableAgents(bed.acd, bed.clock, [agent]);
    const [ringing, next] = [aContact(), aContact()];
    await bed.acd.enqueue(ringing);
    await bed.acd.enqueue(next);

    await bed.acd.abandon(ringing.id);

    expect(bed.hooks.gone.map((gone) => gone.why)).toEqual(['withdrawn']);
    expect(bed.hooks.offers[1]?.contact.id).toBe(next.id);
    expect((await bed.acd.stats('support')).abandoned).toBe(1);
  });

  it('learns the handle time for the wait estimate', async () => {
    const agent = anAgentId();
    await availableAgents(bed.acd, bed.clock, [agent]);
    const contact = aContact();
    await bed.acd.enqueue(contact);
    await bed.acd.accept(agent, bed.hooks.offers[0]?.offerId ?? '');
    bed.clock.advance(60);
    await bed.acd.finish(agent, contact.id);
    await bed.acd.setState(agent, 'away');
    await bed.acd.setState(agent, 'available');
    await bed.acd.enqueue(aContact());

    const waiting = await bed.acd.enqueue(aContact());

    expect(waiting).toEqual({
      status: 'waiting',
      position: 1,
      estimatedWaitSeconds: 60,
    });
  });

  it('lists every queue and tells who watches that a queue changed', async () => {
    await bed.acd.defineQueue('sales', { name: 'Sales' });
    await bed.acd.enqueue(aContact({ queue: 'sales' }));

    const all = await bed.acd.allStats();

    expect(all.map((stats) => [stats.queue, stats.waiting])).toEqual([
      ['sales', 1],
      ['support', 0],
    ]);
    expect(bed.hooks.changedQueues).toContain('sales');
  });
});
