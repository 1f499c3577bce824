/**
 * The live panel on the Queues page: every queue's figures from GET
 * /api/queues/stats, and every agent's state from GET /api/agents where
 * this bridgeline serves it, read again every two seconds while the page
 * is shown and never while it is not.
 */
(() => {
  'use strict';

  const { describeError, request } = window.bridgelineAdmin.api;
  const { byId, el, setText } = window.bridgelineAdmin.dom;
  const { describeState, duration } = window.bridgelineAdmin.fields;

  const pollMs = 2000;
  let timer = null;
  // Bumped by each start and stop, so a read still on its way when the
  // admin leaves the page does not start polling again.
  let generation = 0;
  let names = new Map();

  const percent = (share) =>
    share === null ? '—' : `${Math.round(share * 1000) / 10} %`;

  function statsRow(queue) {
    // Contacts waiting and no one signed in to take them: the row a
    // supervisor must not miss.
    const stranded = queue.waiting > 0 && queue.agentsStaffed === 0;
    return el(
      'tr',
      { data: { queue: queue.queue }, className: stranded ? 'alert' : '' },
      el('td', {}, queue.name, ' ', el('code', {}, queue.queue)),
      el('td', { data: { figure: 'waiting' } }, String(queue.waiting)),
      el('td', {}, duration(queue.longestWaitSeconds)),
      el(
        'td',
        { data: { figure: 'service-level' } },
        `${percent(queue.serviceLevel)} in ${queue.serviceLevelSeconds} s`,
      ),
      el(
        'td',
        {},
        queue.averageSpeedOfAnswerSeconds === null
          ? '—'
          : duration(queue.averageSpeedOfAnswerSeconds),
      ),
      el('td', {}, String(queue.answered)),
      el('td', {}, String(queue.abandoned)),
      el(
        'td',
        { data: { figure: 'agents' } },
        `${queue.agentsAvailable} / ${queue.agentsStaffed}`,
      ),
    );
  }

  function agentRow(agent, now) {
    return el(
      'tr',
      { data: { agent: agent.id } },
      el('td', {}, names.get(agent.id) ?? agent.id),
      el('td', {}, describeState(agent, now)),
      el('td', {}, `${agent.chats} / ${agent.maxChats}`),
      el('td', {}, agent.onVoice ? 'on a call' : ''),
      el('td', {}, agent.queues.join(', ') || '—'),
    );
  }

  async function refresh() {
    const [stats, agents] = await Promise.all([
      request('GET', '/api/queues/stats'),
      request('GET', '/api/agents'),
    ]);
    if (!stats.ok) {
      setText('live-status', `Not updated: ${describeError(stats)}`);
      return;
    }
    byId('live-body').replaceChildren(...stats.body.queues.map(statsRow));
    // Without the route (404) the panel shows queues only.
    byId('agent-states').hidden = !agents.ok;
    if (agents.ok) {
      const now = Date.now();
      byId('agent-states-body').replaceChildren(
        ...agents.body.agents.map((agent) => agentRow(agent, now)),
      );
    }
    setText('live-status', `Updated ${new Date().toLocaleTimeString()}`);
  }

  async function learnNames() {
    const reply = await request('GET', '/api/admin/accounts');
    if (reply.ok) {
      names = new Map(
        reply.body.accounts.map((account) => [
          account.id,
          `${account.displayName} (${account.username})`,
        ]),
      );
    }
  }

  function stopLive() {
    generation += 1;
    window.clearTimeout(timer);
    timer = null;
  }

  function startLive() {
    stopLive();
    const mine = generation;
    const tick = async () => {
      await refresh();
      if (mine === generation) {
        timer = window.setTimeout(() => void tick(), pollMs);
      }
    };
    void learnNames().then(tick);
  }

  window.bridgelineAdmin.live = { startLive, stopLive };
})();
