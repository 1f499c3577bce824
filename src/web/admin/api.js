/**
 * The admin API as the page calls it. A session cookie (set by POST
 * /api/auth/login) or the admin token (kept for this tab only, in
 * sessionStorage) proves who is asking; both go with every request.
 */
(() => {
  'use strict';

  const tokenKey = 'bridgeline.admin.token';
  let onUnauthorized = () => {};

  function adminToken() {
    return sessionStorage.getItem(tokenKey);
  }

  function keepAdminToken(token) {
    sessionStorage.setItem(tokenKey, token);
  }

  function forgetAdminToken() {
    sessionStorage.removeItem(tokenKey);
  }

  /** What to do when the API says the admin is not (or no longer) signed in. */
  function whenUnauthorized(handler) {
    onUnauthorized = handler;
  }

  /**
   * One request: `{ status, ok, body, etag }`, never a throw for an HTTP
   * error, so each caller decides what a 409 or a 422 means to the admin.
   * A network failure answers status 0.
   */
  async function request(method, path, body, options = {}) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    const token = adminToken();
    if (token) {
      headers.authorization = `Bearer ${token}`;
    }
    let response;
    try {
      response = await window.fetch(path, {
        method,
        headers,
        credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      return {
        status: 0,
        ok: false,
        body: { message: 'bridgeline did not answer; check the connection.' },
        etag: null,
      };
    }
    const text = await response.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { message: text };
    }
    if (response.status === 401 && !options.quietUnauthorized) {
      onUnauthorized();
    }
    return {
      status: response.status,
      ok: response.ok,
      body: parsed,
      etag: response.headers.get('etag'),
    };
  }

  /** A path under /api/admin with each part escaped, e.g. flowPath('main'). */
  function flowPath(flowId, ...rest) {
    return ['/api/admin/flows', flowId, ...rest]
      .map((part, index) => (index === 0 ? part : encodeURIComponent(part)))
      .join('/');
  }

  /** The checksum an ETag carries: `"abc…"` -> `abc…`. */
  function etagChecksum(etag) {
    const match = /"?([0-9a-f]{64})"?/.exec(etag ?? '');
    return match ? match[1] : null;
  }

  /** An error body as one line for the admin: its message, and its field. */
  function describeError(reply) {
    const { message, field } = reply.body;
    const text = typeof message === 'string' ? message : `HTTP ${reply.status}`;
    return typeof field === 'string' && field !== '' && reply.status === 400
      ? `${text} (${field})`
      : text;
  }

  window.bridgelineAdmin.api = {
    adminToken,
    keepAdminToken,
    forgetAdminToken,
    whenUnauthorized,
    request,
    flowPath,
    etagChecksum,
    describeError,
  };
})();
