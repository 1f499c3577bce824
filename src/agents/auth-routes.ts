import type { FastifyInstance } from 'fastify';
import { parseInput } from '../context/validate';
import { BridgelineError } from '../errors';
import { clearSessionCookie, setSessionCookie } from '../http/cookies';
import { principalOf } from '../http/principal';
import { loginInput } from './account-input';
import type { AccountStore } from './accounts';
import type { LoginLimit } from './login-limit';
import { sessionCookie, type SessionStore } from './sessions';

export interface AuthRouteOptions {
  accounts: AccountStore;
  sessions: SessionStore;
  loginLimit: LoginLimit;
  /** PUBLIC_BASE_URL is https: the cookie is sent over TLS only. */
  secureCookie: boolean;
}

/** Routes that answer without a principal: the login itself. */
export const openAuthRoutes = [{ method: 'POST', url: '/api/auth/login' }];

/**
 * Login, logout and "who am I", under /api. A session comes back twice:
 * as the `bl_session` cookie for the web pages and as `token` for API
 * clients, which send it as "Authorization: Bearer <token>".
 *
 * The cookie is HttpOnly (no script reads it) and SameSite=Strict (no
 * other site's page sends it). Together with an API that takes JSON
 * bodies only, which a cross-site form cannot send without a CORS
 * preflight we never grant, that is the CSRF defence: no token in pages.
 */
export function authRoutes(api: FastifyInstance, options: AuthRouteOptions) {
  const { accounts, sessions, loginLimit } = options;

  api.post('/auth/login', async (request, reply) => {
    const { username, password } = parseInput(loginInput, request.body);
    // Refused before the password is looked at: a locked-out guesser
    // learns nothing, and costs us no scrypt.
    if (await loginLimit.blocked(request.ip, username)) {
      request.log.info({ ip: request.ip }, 'login refused: too many failures');
      throw new BridgelineError('BL_ERR_LOGIN_RATE_LIMITED');
    }
    // One scrypt, in turn with every other (passwords.ts): past the cap on
    // hashes in flight the answer is 503 at once.
    const account = await accounts.verifyLogin(username, password);
    if (!account) {
      await loginLimit.recordFailure(request.ip, username);
      throw new BridgelineError('BL_ERR_LOGIN_FAILED');
    }
    await loginLimit.recordSuccess(username);
    const token = await sessions.create(account.id, account.role);
    request.log.info({ accountId: account.id }, 'logged in');
    setSessionCookie(reply, sessionCookie, token, {
      maxAgeSeconds: sessions.ttlSeconds,
      secure: options.secureCookie,
    });
    return reply.send({ account, token });
  });

  api.post('/auth/logout', async (request, reply) => {
    if (request.sessionToken !== undefined) {
      await sessions.end(request.sessionToken);
    }
    clearSessionCookie(reply, sessionCookie, options.secureCookie);
    return reply.status(204).send();
  });

  api.get('/auth/me', async (request) => {
    const principal = principalOf(request);
    if (principal.kind === 'bootstrap') {
      return { principal };
    }
    return { principal, account: await accounts.get(principal.accountId) };
  });
}
