/** The flows list: every flow, what is live, and the state of its draft. */
(() => {
  'use strict';

  const { describeError, request } = window.bridgelineAdmin.api;
  const { byId, el, localTime, setText } = window.bridgelineAdmin.dom;

  function draftState(draft) {
    if (!draft) {
      return 'none';
    }
    if (!draft.valid) {
      return `${draft.problems} problem${draft.problems === 1 ? '' : 's'}`;
    }
    return draft.published
      ? 'published'
      : `unpublished changes, saved ${localTime(draft.savedAt)}`;
  }

  async function showFlows() {
    const reply = await request('GET', '/api/admin/flows');
    const body = byId('flows-body');
    if (!reply.ok) {
      body.replaceChildren(
        el('tr', {}, el('td', { colspan: 5 }, describeError(reply))),
      );
      return;
    }
    body.replaceChildren(
      ...reply.body.flows.map((flow) =>
        el(
          'tr',
          { data: { flow: flow.id } },
          el(
            'td',
            {},
            el(
              'a',
              { href: `#/flows/${encodeURIComponent(flow.id)}` },
              flow.id,
            ),
          ),
          el('td', {}, flow.name),
          el(
            'td',
            {},
            flow.aliases.live === undefined ? '—' : `v${flow.aliases.live}`,
          ),
          el('td', {}, String(flow.versions)),
          el('td', {}, draftState(flow.draft)),
        ),
      ),
    );
  }

  function setUpFlows() {
    byId('new-flow-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const id = byId('new-flow-id').value.trim();
      byId('new-flow-id').value = '';
      window.location.hash = `#/flows/${encodeURIComponent(id)}`;
    });
    setText('flows-body', '');
  }

  window.bridgelineAdmin.flows = { showFlows, setUpFlows };
})();
