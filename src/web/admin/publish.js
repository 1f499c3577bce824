/**
 * Publish and roll back. Publishing makes a new version of the saved
 * draft and moves `live` to it; the server first validates it and runs its
 * scenarios, and refuses it (422) naming each failure, shown here as the
 * scenario results. Rolling back moves `live` to the version before.
 */
(() => {
  'use strict';

  const { describeError, flowPath, request } = window.bridgelineAdmin.api;
  const { byId, el, setText } = window.bridgelineAdmin.dom;
  const { editing, isDirty, refreshFlow, saveDraft } =
    window.bridgelineAdmin.editor;

  function showRefusal(reply) {
    const problems = Array.isArray(reply.body.problems)
      ? reply.body.problems
      : [];
    const lead =
      reply.body.code === 'BL_ERR_FLOW_SCENARIOS_FAILED'
        ? 'Not published: scenarios failed.'
        : reply.body.code === 'BL_ERR_FLOW_INVALID'
          ? 'Not published: the draft has problems.'
          : `Not published: ${describeError(reply)}`;
    setText('publish-status', lead);
    byId('scenario-results').replaceChildren(
      ...problems.map((problem) =>
        el(
          'li',
          { className: 'problem' },
          el('span', { className: 'problem-message' }, problem.message),
          el('code', {}, problem.field),
        ),
      ),
    );
  }

  async function publish() {
    byId('scenario-results').replaceChildren();
    // What is published is the saved draft, so the text on screen is saved
    // first; a draft with problems stops here.
    if (isDirty() && !(await saveDraft())) {
      setText(
        'publish-status',
        'Not published: the draft did not save cleanly.',
      );
      return;
    }
    setText('publish-status', 'Publishing…');
    const note = byId('publish-note').value.trim();
    const reply = await request('POST', flowPath(editing.flowId, 'publish'), {
      ...(note === '' ? {} : { note }),
      ...(editing.checksum === null
        ? {}
        : { expectedChecksum: editing.checksum }),
    });
    if (!reply.ok) {
      showRefusal(reply);
      return;
    }
    byId('publish-note').value = '';
    await refreshFlow();
    setText(
      'publish-status',
      `Published version ${reply.body.version}; it is live.`,
    );
  }

  async function rollBack() {
    byId('scenario-results').replaceChildren();
    const reply = await request(
      'POST',
      flowPath(editing.flowId, 'rollback'),
      {},
    );
    if (!reply.ok) {
      setText('publish-status', `Not rolled back: ${describeError(reply)}`);
      return;
    }
    await refreshFlow();
    setText(
      'publish-status',
      `Rolled back: live is version ${reply.body.to} again (was ${reply.body.from}).`,
    );
  }

  function setUpPublishing() {
    byId('publish-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void publish();
    });
    byId('rollback').addEventListener('click', () => void rollBack());
  }

  window.bridgelineAdmin.publish = { setUpPublishing };
})();
