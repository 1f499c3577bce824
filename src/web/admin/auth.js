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

  /**
   * Resolves with who is signed in, `{ label, role }`, or null. GET
   * /api/auth/me answers for a session cookie and for the admin token
   * alike; where it does not exist (404), the token is tried directly.
   */
  async function whoIsSignedIn() {
    const me = await request('GET', '/api/auth/me', undefined, {
      quietUnauthorized: true,
    });
    if (me.ok) {
      const { principal, account } = me.body;
      if (principal?.kind === 'account') {
        const name = account?.displayName ?? principal.displayName;
        return { label: String(name ?? 'signed in'), role: principal.role };
      }
      return { label: 'admin token', role: 'admin' };
    }
    if (me.status === 404 && adminToken() && (await tokenWorks())) {
      return { label: 'admin token', role: 'admin' };
    }
    return null;
  }

  async function tokenWorks() {
    const probe = await request('GET', '/api/admin/flows', undefined, {
      quietUnauthorized: true,
    });
    return probe.ok;
  }

  /** Shows the sign-in form; calls `signedIn(who)` once one works. */
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
        signedIn(
          (await whoIsSignedIn()) ?? { label: username, role: 'unknown' },
        );
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
        signedIn({ label: 'admin token', role: 'admin' });
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
