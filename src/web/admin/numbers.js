/**
 * Numbers to flows: which flow (at which alias, `live` by default)
 * answers each dialled number, edited in place.
 */
(() => {
  'use strict';

  const { describeError, request } = window.bridgelineAdmin.api;
  const { byId, el, setText } = window.bridgelineAdmin.dom;

  let flowIds = [];

  function flowSelect(selected, label) {
    const select = el(
      'select',
      { 'aria-label': label },
      ...flowIds.map((id) => el('option', { value: id }, id)),
    );
    select.value = selected;
    return select;
  }

  function numberPath(number) {
    return `/api/admin/numbers/${encodeURIComponent(number)}`;
  }

  async function saveRoute(number, flowId, alias) {
    const reply = await request('PUT', numberPath(number), {
      flowId,
      ...(alias === '' ? {} : { alias }),
    });
    setText(
      'numbers-status',
      reply.ok
        ? `${reply.body.number} now gets ${reply.body.flowId} at ${reply.body.alias}.`
        : `Not saved: ${describeError(reply)}`,
    );
    return reply.ok;
  }

  function routeRow(route) {
    const flow = flowSelect(route.flowId, `Flow for ${route.number}`);
    const alias = el('input', {
      'aria-label': `Alias for ${route.number}`,
      value: route.alias,
    });
    const save = el('button', { type: 'button' }, 'Save');
    const remove = el('button', { type: 'button' }, 'Remove');
    save.addEventListener('click', () => {
      void saveRoute(route.number, flow.value, alias.value.trim());
    });
    remove.addEventListener('click', async () => {
      const reply = await request('DELETE', numberPath(route.number));
      setText(
        'numbers-status',
        reply.ok
          ? `${route.number} now gets the flow main.`
          : `Not removed: ${describeError(reply)}`,
      );
      await showNumbers();
    });
    return el(
      'tr',
      { data: { number: route.number } },
      el('td', {}, el('code', {}, route.number)),
      el('td', {}, flow),
      el('td', {}, alias),
      el('td', { className: 'row' }, save, remove),
    );
  }

  async function showNumbers() {
    const [numbers, flows] = await Promise.all([
      request('GET', '/api/admin/numbers'),
      request('GET', '/api/admin/flows'),
    ]);
    if (!numbers.ok || !flows.ok) {
      setText('numbers-status', describeError(numbers.ok ? flows : numbers));
      return;
    }
    flowIds = flows.body.flows.map((flow) => flow.id);
    byId('numbers-body').replaceChildren(...numbers.body.numbers.map(routeRow));
    const pick = byId('number-flow');
    pick.replaceChildren(
      ...flowIds.map((id) => el('option', { value: id }, id)),
    );
  }

  function setUpNumbers() {
    byId('number-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const number = byId('number-new').value.trim();
      const saved = await saveRoute(
        number,
        byId('number-flow').value,
        byId('number-alias').value.trim(),
      );
      if (saved) {
        byId('number-new').value = '';
        await showNumbers();
      }
    });
  }

  window.bridgelineAdmin.numbers = { showNumbers, setUpNumbers };
})();
