/**
 * Queue definitions: listed, created and edited in one form (name,
 * skills, service level, offer timeout, priority), deleted after the
 * admin confirms. The live figures above them are live.js.
 */
(() => {
  'use strict';

  const { describeError, request } = window.bridgelineAdmin.api;
  const { byId, el, setText } = window.bridgelineAdmin.dom;
  const { clearErrors, listOf, numberOr, showErrors } =
    window.bridgelineAdmin.fields;

  /** The queue the form edits; null while it creates one. */
  let editingId = null;

  function queuePath(id) {
    return `/api/admin/queues/${encodeURIComponent(id)}`;
  }

  function resetForm() {
    editingId = null;
    const form = byId('queue-form');
    form.reset();
    clearErrors(form);
    byId('queue-id').readOnly = false;
    setText('queue-form-title', 'New queue');
  }

  function editQueue(queue) {
    editingId = queue.id;
    const form = byId('queue-form');
    clearErrors(form);
    byId('queue-id').value = queue.id;
    byId('queue-id').readOnly = true;
    byId('queue-name').value = queue.name;
    byId('queue-skills').value = queue.skills.join(', ');
    byId('queue-service-level').value = String(queue.serviceLevelSeconds);
    byId('queue-offer-timeout').value = String(queue.offerTimeoutSeconds);
    byId('queue-priority').value = String(queue.priority);
    setText('queue-form-title', `Edit queue ${queue.id}`);
    byId('queue-name').focus();
  }

  async function removeQueue(queue) {
    const sure = window.confirm(
      `Delete the queue ${queue.id}? Contacts waiting in it keep their ` +
        'place; nothing new can join it.',
    );
    if (!sure) {
      return;
    }
    const reply = await request('DELETE', queuePath(queue.id));
    if (editingId === queue.id) {
      resetForm();
    }
    // The list first, then the word: what the admin reads is already shown.
    await showQueues();
    setText(
      'queues-status',
      reply.ok
        ? `Queue ${queue.id} deleted.`
        : `Not deleted: ${describeError(reply)}`,
    );
  }

  function queueRow(queue) {
    const edit = el('button', { type: 'button' }, 'Edit');
    const remove = el('button', { type: 'button' }, 'Delete');
    edit.addEventListener('click', () => editQueue(queue));
    remove.addEventListener('click', () => void removeQueue(queue));
    return el(
      'tr',
      { data: { queue: queue.id } },
      el('td', {}, el('code', {}, queue.id)),
      el('td', {}, queue.name),
      el('td', {}, queue.skills.join(', ') || '—'),
      el('td', {}, `${queue.serviceLevelSeconds} s`),
      el('td', {}, `${queue.offerTimeoutSeconds} s`),
      el('td', {}, String(queue.priority)),
      el('td', { className: 'row' }, edit, remove),
    );
  }

  async function showQueues() {
    setText('queues-status', '');
    const reply = await request('GET', '/api/admin/queues');
    if (!reply.ok) {
      setText('queues-status', describeError(reply));
      return;
    }
    byId('queues-body').replaceChildren(...reply.body.queues.map(queueRow));
    byId('queues-empty').hidden = reply.body.queues.length > 0;
  }

  async function saveQueue(event) {
    event.preventDefault();
    const form = byId('queue-form');
    const id = editingId ?? byId('queue-id').value.trim();
    if (id === '') {
      showErrors(
        form,
        { status: 400, body: { field: 'id', message: 'a queue id is needed' } },
        byId('queues-status'),
      );
      return;
    }
    const reply = await request('PUT', queuePath(id), {
      name: byId('queue-name').value,
      skills: listOf(byId('queue-skills').value),
      serviceLevelSeconds: numberOr(byId('queue-service-level').value),
      offerTimeoutSeconds: numberOr(byId('queue-offer-timeout').value),
      priority: numberOr(byId('queue-priority').value),
    });
    if (!reply.ok) {
      showErrors(form, reply, byId('queues-status'));
      return;
    }
    resetForm();
    await showQueues();
    setText('queues-status', `Queue ${reply.body.id} saved.`);
  }

  function setUpQueues() {
    byId('queue-form').addEventListener('submit', (event) => {
      void saveQueue(event);
    });
    byId('queue-cancel').addEventListener('click', resetForm);
  }

  window.bridgelineAdmin.queues = { setUpQueues, showQueues };
})();
