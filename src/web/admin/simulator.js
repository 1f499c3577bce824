/**
 * The simulator panel: a scripted caller (number, name, an open chat)
 * presses keys, speaks, waits or hangs up, and the panel shows the path
 * the call took and what it heard at each step. It runs the text in the
 * editor, saved or not (POST /api/admin/flows/:id/simulate).
 */
(() => {
  'use strict';

  const { describeError, flowPath, request } = window.bridgelineAdmin.api;
  const { byId, el, setText } = window.bridgelineAdmin.dom;
  const { editing } = window.bridgelineAdmin.editor;

  const kinds = ['digits', 'speech', 'timeout', 'hangup'];

  function addInput(kind = 'digits', value = '') {
    const list = byId('sim-inputs');
    const number = list.children.length + 1;
    const select = el(
      'select',
      { 'aria-label': `Input ${number} kind` },
      ...kinds.map((k) => el('option', { value: k }, k)),
    );
    select.value = kind;
    const text = el('input', {
      'aria-label': `Input ${number} value`,
      value,
      placeholder: 'keys, e.g. 1',
    });
    const remove = el('button', { type: 'button' }, 'Remove');
    const sync = () => {
      text.hidden = select.value === 'timeout' || select.value === 'hangup';
      text.placeholder =
        select.value === 'speech' ? 'what they say' : 'keys, e.g. 1';
    };
    select.addEventListener('change', sync);
    remove.addEventListener('click', () => item.remove());
    const item = el('li', {}, select, text, remove);
    sync();
    list.append(item);
  }

  function scriptedInputs() {
    return [...byId('sim-inputs').children].map((item) => {
      const kind = item.querySelector('select').value;
      const value = item.querySelector('input').value.trim();
      return kind === 'timeout' || kind === 'hangup' ? kind : { [kind]: value };
    });
  }

  function inputLabel(input) {
    if (input === undefined) {
      return 'The call comes in';
    }
    if (typeof input === 'string') {
      return input === 'timeout'
        ? 'The caller says nothing'
        : 'The caller hangs up';
    }
    if ('digits' in input) {
      return `The caller presses ${input.digits}`;
    }
    if ('speech' in input) {
      return `The caller says “${input.speech}”`;
    }
    return `Then: ${JSON.stringify(input)}`;
  }

  function stepView(step) {
    const outcome = step.fault
      ? `Fault: ${step.fault}`
      : step.ended
        ? 'The call ends.'
        : step.awaiting
          ? `Waits for the caller at ${step.awaiting}.`
          : '';
    return el(
      'li',
      {},
      el('strong', {}, inputLabel(step.input)),
      el(
        'div',
        { className: 'step-path' },
        `Through: ${step.path.join(' → ') || '—'}`,
      ),
      ...step.prompts.map((prompt) => el('p', { className: 'prompt' }, prompt)),
      el('div', { className: 'status' }, outcome),
    );
  }

  async function run() {
    const result = byId('sim-result');
    result.replaceChildren(el('p', { className: 'status' }, 'Running…'));
    const name = byId('sim-caller').value.trim();
    const caller = {
      ...(name === '' ? {} : { name }),
      ...(byId('sim-open').checked
        ? {
            conversations: [
              { subject: 'Order help', channel: 'chat', hoursAgo: 2 },
            ],
          }
        : {}),
    };
    const from = byId('sim-from').value.trim();
    const reply = await request('POST', flowPath(editing.flowId, 'simulate'), {
      source: byId('source').value,
      ...(from === '' ? {} : { from }),
      ...(Object.keys(caller).length === 0 ? {} : { caller }),
      inputs: scriptedInputs(),
    });
    if (!reply.ok) {
      const problems = Array.isArray(reply.body.problems)
        ? reply.body.problems
        : [];
      result.replaceChildren(
        el('p', { className: 'notice error' }, describeError(reply)),
        ...problems.map((p) =>
          el('p', { className: 'problem' }, `${p.field}: ${p.message}`),
        ),
      );
      return;
    }
    const { path, steps, unusedInputs } = reply.body;
    result.replaceChildren(
      el('h3', {}, 'Path'),
      el(
        'ol',
        { className: 'path', id: 'sim-path' },
        ...path.map((node) => el('li', {}, node)),
      ),
      el('ol', { className: 'steps' }, ...steps.map(stepView)),
      unusedInputs > 0
        ? el(
            'p',
            { className: 'status' },
            `${unusedInputs} input(s) left over after the call ended.`,
          )
        : undefined,
    );
  }

  function setUpSimulator() {
    addInput();
    byId('sim-add').addEventListener('click', () => addInput());
    byId('sim-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void run();
    });
    setText('sim-result', '');
  }

  window.bridgelineAdmin.simulator = { setUpSimulator };
})();
