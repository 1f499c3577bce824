/**
 * Accounts of agents, supervisors and admins: listed with their live
 * state where the ACD has one, created (with a password and an optional
 * SIP password), edited, disabled or enabled, given a new password, and
 * deleted after the admin confirms. No password or hash is ever shown:
 * the API returns none, and the boxes are emptied once used.
 */
(() => {
  'use strict';

  const { describeError, request } = window.bridgelineAdmin.api;
  const { byId, el, setText } = window.bridgelineAdmin.dom;
  const { clearErrors, describeState, listOf, numberOr, showErrors } =
    window.bridgelineAdmin.fields;

  /** The account the form edits; null while it creates one. */
  let editing = null;
  /** The account the password form is for. */
  let passwordFor = null;

  const accountPath = (id, ...rest) =>
    ['/api/admin/accounts', encodeURIComponent(id), ...rest].join('/');

  function say(text) {
    setText('agents-status', text);
  }

  function resetForm() {
    editing = null;
    const form = byId('agent-form');
    form.reset();
    clearErrors(form);
    byId('agent-username').readOnly = false;
    byId('agent-password-row').hidden = false;
    setText('agent-form-title', 'New account');
  }

  function editAccount(account) {
    editing = account;
    const form = byId('agent-form');
    clearErrors(form);
    byId('agent-username').value = account.username;
    byId('agent-username').readOnly = true;
    byId('agent-display-name').value = account.displayName;
    byId('agent-role').value = account.role;
    byId('agent-password-row').hidden = true;
    byId('agent-skills').value = account.skills.join(', ');
    byId('agent-queues').value = account.queues.join(', ');
    byId('agent-max-chats').value = String(account.maxChats);
    byId('agent-sip-user').value = account.sipUser;
    byId('agent-sip-password').value = '';
    setText('agent-form-title', `Edit ${account.username}`);
    byId('agent-display-name').focus();
  }

  /** The form as a POST body, or as a PATCH of what it changes. */
  function formBody() {
    const sipUser = byId('agent-sip-user').value.trim();
    const sipPassword = byId('agent-sip-password').value;
    const role = byId('agent-role').value;
    const body = {
      displayName: byId('agent-display-name').value,
      skills: listOf(byId('agent-skills').value),
      queues: listOf(byId('agent-queues').value),
      maxChats: numberOr(byId('agent-max-chats').value),
      ...(sipPassword === '' ? {} : { sipPassword }),
    };
    if (editing === null) {
      return {
        ...body,
        username: byId('agent-username').value,
        role,
        password: byId('agent-password').value,
        ...(sipUser === '' ? {} : { sipUser }),
      };
    }
    // Only what changed: an admin editing their own account must not send
    // a role, which the API reads as a demotion it refuses.
    return {
      ...body,
      ...(role === editing.role ? {} : { role }),
      ...(sipUser === '' || sipUser === editing.sipUser ? {} : { sipUser }),
    };
  }

  async function saveAccount(event) {
    event.preventDefault();
    const form = byId('agent-form');
    const reply =
      editing === null
        ? await request('POST', '/api/admin/accounts', formBody())
        : await request('PATCH', accountPath(editing.id), formBody());
    if (!reply.ok) {
      showErrors(form, reply, byId('agents-status'));
      return;
    }
    resetForm();
    // The list first, then the word: what the admin reads is already shown.
    await showAgents();
    say(`${reply.body.username} saved.`);
  }

  async function toggleDisabled(account) {
    const disabled = !account.disabled;
    const reply = await request('PATCH', accountPath(account.id), {
      disabled,
    });
    await showAgents();
    say(
      reply.ok
        ? `${account.username} is ${disabled ? 'disabled' : 'enabled'}.`
        : `Not changed: ${describeError(reply)}`,
    );
  }

  async function removeAccount(account) {
    const sure = window.confirm(
      `Delete the account ${account.username}? They are signed out and ` +
        'cannot sign in again.',
    );
    if (!sure) {
      return;
    }
    const reply = await request('DELETE', accountPath(account.id));
    if (editing?.id === account.id) {
      resetForm();
    }
    await showAgents();
    say(
      reply.ok
        ? `${account.username} deleted.`
        : `Not deleted: ${describeError(reply)}`,
    );
  }

  function askNewPassword(account) {
    passwordFor = account;
    const form = byId('password-form');
    form.reset();
    clearErrors(form);
    setText('password-form-title', `New password for ${account.username}`);
    form.hidden = false;
    byId('new-password').focus();
  }

  async function setPassword(event) {
    event.preventDefault();
    const form = byId('password-form');
    const reply = await request(
      'PUT',
      accountPath(passwordFor.id, 'password'),
      { password: byId('new-password').value },
    );
    if (!reply.ok) {
      showErrors(form, reply, byId('agents-status'));
      return;
    }
    form.reset();
    form.hidden = true;
    say(`${passwordFor.username} has a new password.`);
  }

  function button(text, onClick) {
    const node = el('button', { type: 'button' }, text);
    node.addEventListener('click', onClick);
    return node;
  }

  function accountRow(account, live) {
    return el(
      'tr',
      {
        data: { username: account.username },
        className: account.disabled ? 'disabled' : '',
      },
      el('td', {}, el('code', {}, account.username)),
      el('td', {}, account.displayName),
      el('td', {}, account.role),
      el('td', { data: { field: 'skills' } }, account.skills.join(', ') || '—'),
      el('td', { data: { field: 'queues' } }, account.queues.join(', ') || '—'),
      el('td', {}, String(account.maxChats)),
      el('td', {}, el('code', {}, account.sipUser)),
      el(
        'td',
        { data: { field: 'status' } },
        account.disabled ? 'disabled' : 'active',
      ),
      el('td', {}, live ? describeState(live) : '—'),
      el(
        'td',
        { className: 'row' },
        button('Edit', () => editAccount(account)),
        button(account.disabled ? 'Enable' : 'Disable', () => {
          void toggleDisabled(account);
        }),
        button('New password', () => askNewPassword(account)),
        button('Delete', () => void removeAccount(account)),
      ),
    );
  }

  async function showAgents() {
    ensureForms();
    say('');
    const [accounts, live] = await Promise.all([
      request('GET', '/api/admin/accounts'),
      request('GET', '/api/agents'),
    ]);
    if (!accounts.ok) {
      say(describeError(accounts));
      return;
    }
    const states = new Map(
      live.ok ? live.body.agents.map((agent) => [agent.id, agent]) : [],
    );
    byId('agents-body').replaceChildren(
      ...accounts.body.accounts.map((account) =>
        accountRow(account, states.get(account.id)),
      ),
    );
  }

  /**
   * The account forms, from their template on the page's first showing:
   * before that the sign-in form's username and password boxes are the
   * only ones in the document, for password managers and for labels.
   */
  function ensureForms() {
    if (document.getElementById('agent-form')) {
      return;
    }
    byId('account-forms').append(
      byId('account-forms-template').content.cloneNode(true),
    );
    byId('agent-form').addEventListener('submit', (event) => {
      void saveAccount(event);
    });
    byId('agent-cancel').addEventListener('click', resetForm);
    byId('password-form').addEventListener('submit', (event) => {
      void setPassword(event);
    });
    byId('password-cancel').addEventListener('click', () => {
      byId('password-form').reset();
      byId('password-form').hidden = true;
    });
  }

  window.bridgelineAdmin.agents = { showAgents };
})();
