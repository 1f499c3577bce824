/**
 * The skills in use: which queues need each one and which agents have
 * it, and for each queue who can serve it. The ACD offers a queue's
 * contact only to an enabled agent or supervisor who lists the queue and
 * has every skill it needs (src/agents/acd/lua-prelude.ts), so a queue
 * with no such person is said so here before contacts wait in it.
 */
(() => {
  'use strict';

  const { describeError, request } = window.bridgelineAdmin.api;
  const { byId, el, setText } = window.bridgelineAdmin.dom;

  // Admins and disabled accounts take no contacts (src/agents/setup.ts).
  const takesContacts = (account) =>
    !account.disabled && account.role !== 'admin';

  const canServe = (account, queue) =>
    account.queues.includes(queue.id) &&
    queue.skills.every((skill) => account.skills.includes(skill));

  const nameOf = (account) => `${account.displayName} (${account.username})`;

  function skillRows(queues, people) {
    const bySkill = new Map();
    const entry = (skill) => {
      if (!bySkill.has(skill)) {
        bySkill.set(skill, { queues: [], people: [] });
      }
      return bySkill.get(skill);
    };
    for (const queue of queues) {
      queue.skills.forEach((skill) => entry(skill).queues.push(queue.id));
    }
    for (const person of people) {
      person.skills.forEach((skill) =>
        entry(skill).people.push(nameOf(person)),
      );
    }
    return [...bySkill.keys()].sort().map((skill) => {
      const { queues: needing, people: having } = bySkill.get(skill);
      const unmet = needing.length > 0 && having.length === 0;
      return el(
        'tr',
        { data: { skill }, className: unmet ? 'alert' : '' },
        el('td', {}, el('code', {}, skill)),
        el('td', { data: { field: 'queues' } }, needing.join(', ') || '—'),
        el(
          'td',
          { data: { field: 'agents' } },
          having.join(', ') || 'nobody has it',
        ),
      );
    });
  }

  function queueRow(queue, people) {
    const servers = people.filter((person) => canServe(person, queue));
    return el(
      'tr',
      { data: { queue: queue.id }, className: servers.length ? '' : 'alert' },
      el('td', {}, queue.name, ' ', el('code', {}, queue.id)),
      el('td', {}, queue.skills.join(', ') || '—'),
      el(
        'td',
        { data: { field: 'served-by' } },
        servers.map(nameOf).join(', ') || 'nobody can serve this queue',
      ),
    );
  }

  async function showSkills() {
    const [queues, accounts] = await Promise.all([
      request('GET', '/api/admin/queues'),
      request('GET', '/api/admin/accounts'),
    ]);
    if (!queues.ok || !accounts.ok) {
      setText('skills-status', describeError(queues.ok ? accounts : queues));
      return;
    }
    const people = accounts.body.accounts.filter(takesContacts);
    byId('skills-body').replaceChildren(
      ...skillRows(queues.body.queues, people),
    );
    byId('coverage-body').replaceChildren(
      ...queues.body.queues.map((queue) => queueRow(queue, people)),
    );
    setText('skills-status', '');
  }

  window.bridgelineAdmin.skills = { showSkills };
})();
