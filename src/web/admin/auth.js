/**
 * Who the admin is. A session cookie is asked about first (GET
 * /api/auth/me); when there is none, or this bridgeline has no accounts,
 * the admin token kept for this tab is tried against the admin API.
 * Neither known: the sign-in form, with a password or the admin token.
 */
(() => {
  'use strict';

  const { adminToken, forgetAdminToken, keepAdminToken, request } =
    window.bridgelineAdmin.api;
  const { byId, setText } = window.bridgelineAdmin.dom;

  /** Resolves with a label for the admin (a name, or "admin token"). */
  async function whoIsSignedIn() {
    const me = await request('GET', '/api/auth/me', undefined, {
      quietUnauthorized: true,
    });
    if (me.ok) {
      const { username } = me.body;
      return typeof username === 'string' ? username : 'signed in';
    }
    if (adminToken() && (await tokenWorks())) {
      return 'admin token';
    }
    return null;
  }

  async function tokenWorks() {
    const probe = await request('GET', '/api/admin/flows', undefined, {
      quietUnauthorized: true,
    });
    return probe.ok;
  }

  /** Shows the sign-in form; calls `signedIn(label)` once one works. */
  function askToSignIn(signedIn) {
    byId('sign-in').hidden = false;
    const loginForm = byId('login-form');
    const tokenForm = byId('token-form');

    loginForm.onsubmit = async (event) => {
      event.preventDefault();
      setText('sign-in-status', 'Signing in…');
      const username = byId('login-username').value.trim();
      const reply = await request(
        'POST',
        '/api/auth/login',
        { username, password: byId('login-password').value },
        { quietUnauthorized: true },
      );
      byId('login-password').value = '';
      if (reply.ok) {
        setText('sign-in-status', '');
        signedIn(username);
      } else if (reply.status === 404) {
        setText(
          'sign-in-status',
          'This bridgeline has no accounts yet; sign in with the admin token.',
        );
      } else if (reply.status === 429) {
        setText('sign-in-status', 'Too many attempts; wait a minute.');
      } else {
        setText('sign-in-status', 'That username and password do not match.');
      }
    };

    tokenForm.onsubmit = async (event) => {
      event.preventDefault();
      keepAdminToken(byId('admin-token').value.trim());
      byId('admin-token').value = '';
      if (await tokenWorks()) {
        setText('sign-in-status', '');
        signedIn('admin token');
      } else {
        forgetAdminToken();
        setText('sign-in-status', 'That admin token was refused.');
      }
    };
  }

  async function signOut() {
    forgetAdminToken();
    await request('POST', '/api/auth/logout', {}, { quietUnauthorized: true });
  }

  window.bridgelineAdmin.auth = { whoIsSignedIn, askToSignIn, signOut };
})();
