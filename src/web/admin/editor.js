/**
 * The flow editor: the YAML as the admin writes it, validated on the
 * server as they type (300 ms after the last key), each problem shown at
 * its node. A save sends the checksum of the draft it started from, so
 * two admins never overwrite each other unseen (a 409 says so).
 */
(() => {
  'use strict';

  const { describeError, etagChecksum, flowPath, request } =
    window.bridgelineAdmin.api;
  const { byId, setText } = window.bridgelineAdmin.dom;
  const { showHistory } = window.bridgelineAdmin.history;
  const { nodeOffset, renderOutline, scanNodes } =
    window.bridgelineAdmin.outline;

  const validateDelayMs = 300;

  /** The flow open in the editor. */
  const editing = {
    flowId: '',
    /** The draft's checksum as last loaded or saved; null: no draft yet. */
    checksum: null,
    savedSource: '',
    savedScenarios: '',
    /** The latest GET /api/admin/flows/:id answer. */
    details: null,
  };

  let timer;
  // Answers to an earlier keystroke that arrive late are dropped.
  let validations = 0;

  function isDirty() {
    return (
      byId('source').value !== editing.savedSource ||
      byId('scenarios').value !== editing.savedScenarios
    );
  }

  function newFlowSource(flowId) {
    return [
      `id: ${flowId}`,
      `name: ${flowId}`,
      'start: hello',
      'nodes:',
      '  hello:',
      '    type: hangup',
      '    prompt: Hello, and goodbye.',
      '',
    ].join('\n');
  }

  /** Loads a flow (or starts a new one) into the editor. */
  async function openFlow(flowId) {
    editing.flowId = flowId;
    setText('flow-title', flowId);
    setText('save-status', 'Loading…');
    byId('conflict').hidden = true;
    const reply = await request('GET', flowPath(flowId));
    if (reply.status === 404) {
      editing.details = null;
      loadDraft(null, newFlowSource(flowId), '');
      setText('save-status', 'New flow, not saved yet');
    } else if (reply.ok) {
      editing.details = reply.body;
      const { draft } = reply.body;
      loadDraft(
        draft?.checksum ?? null,
        draft?.source ?? '',
        draft?.scenarios ?? '',
      );
      setText('save-status', draft ? 'Draft loaded' : 'No draft');
    } else {
      setText('save-status', describeError(reply));
      return;
    }
    showHistory(editing.details);
    await validateNow();
  }

  /** Reloads the versions and aliases, leaving the text as it is. */
  async function refreshFlow() {
    const reply = await request('GET', flowPath(editing.flowId));
    if (reply.ok) {
      editing.details = reply.body;
      editing.checksum = reply.body.draft?.checksum ?? editing.checksum;
      showHistory(editing.details);
    }
  }

  function loadDraft(checksum, source, scenarios) {
    editing.checksum = checksum;
    editing.savedSource = source;
    editing.savedScenarios = scenarios;
    byId('source').value = source;
    byId('scenarios').value = scenarios;
  }

  async function validateNow() {
    const mine = ++validations;
    const source = byId('source').value;
    const reply = await request('POST', flowPath(editing.flowId, 'validate'), {
      source,
    });
    if (mine !== validations) {
      return;
    }
    if (reply.ok) {
      const parsed = Object.entries(reply.body.flow?.nodes ?? {});
      renderOutline(
        parsed.map(([id, node]) => ({ id, type: node.type })),
        [],
        pick,
      );
      return;
    }
    const problems = Array.isArray(reply.body.problems)
      ? reply.body.problems
      : [{ field: reply.body.field ?? '', message: describeError(reply) }];
    renderOutline(scanNodes(source), problems, pick);
  }

  /** Puts the cursor on a node's key in the text. */
  function pick(nodeId) {
    const textarea = byId('source');
    const at = nodeOffset(textarea.value, nodeId);
    if (at >= 0) {
      textarea.focus();
      textarea.setSelectionRange(at, at + nodeId.length);
    }
  }

  /**
   * Saves the draft; resolves true when it is saved without problems. A
   * draft with problems is saved too (422), and says so.
   */
  async function saveDraft() {
    const source = byId('source').value;
    const scenarios = byId('scenarios').value;
    setText('save-status', 'Saving…');
    const reply = await request('PUT', flowPath(editing.flowId, 'draft'), {
      source,
      ...(scenarios.trim() === '' ? {} : { scenarios }),
      expectedChecksum: editing.checksum,
    });
    if (reply.status === 409) {
      byId('conflict').hidden = false;
      setText('save-status', 'Not saved');
      return false;
    }
    const saved = reply.ok || reply.body.code === 'BL_ERR_FLOW_INVALID';
    if (!saved) {
      setText('save-status', `Not saved: ${describeError(reply)}`);
      return false;
    }
    editing.checksum = etagChecksum(reply.etag) ?? reply.body.checksum ?? null;
    editing.savedSource = source;
    editing.savedScenarios = scenarios;
    setText(
      'save-status',
      reply.ok ? 'Draft saved' : 'Draft saved, with problems to fix',
    );
    return reply.ok;
  }

  /** Wires the editor's controls; once, when the page starts. */
  function setUpEditor() {
    byId('source').addEventListener('input', () => {
      setText('save-status', 'Unsaved changes');
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void validateNow(), validateDelayMs);
    });
    byId('scenarios').addEventListener('input', () => {
      setText('save-status', 'Unsaved changes');
    });
    byId('save-draft').addEventListener('click', () => void saveDraft());
    byId('reload-draft').addEventListener(
      'click',
      () => void openFlow(editing.flowId),
    );
  }

  window.bridgelineAdmin.editor = {
    editing,
    isDirty,
    openFlow,
    refreshFlow,
    saveDraft,
    setUpEditor,
  };
})();
