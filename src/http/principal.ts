import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountStore } from '../agents/accounts';
import { sessionCookie, type SessionStore } from '../agents/sessions';
import { roleAtLeast, type Principal, type Role } from '../agents/types';
import { BridgelineError } from '../errors';
import { bearerOf, tokenCheck } from './auth';
import { cookieOf } from './cookies';

/**
 * Who a request acts for. `ADMIN_TOKEN` as a bearer token is the operator's
 * bootstrap admin; otherwise a session token, sent as a bearer token by API
 * clients or as the `bl_session` cookie by the web pages.
 */

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the /api scope's onRequest hook; see principalOf. */
    principal: Principal | undefined;
    /** The session token the principal came by, for logout. */
    sessionToken: string | undefined;
  }
  interface FastifyInstance {
    principals: PrincipalResolver;
  }
}

export interface Resolved {
  principal: Principal;
  via: 'admin-token' | 'bearer' | 'cookie';
  token?: string;
}

export class PrincipalResolver {
  private readonly isAdminToken: (given: string) => boolean;

  constructor(
    adminToken: string,
    private readonly sessions: SessionStore,
    private readonly accounts: AccountStore,
  ) {
    this.isAdminToken = tokenCheck(adminToken);
  }

  /** Bearer first, then the cookie; undefined when neither is live. */
  async resolve(request: FastifyRequest): Promise<Resolved | undefined> {
    const bearer = bearerOf(request);
    if (bearer !== undefined) {
      if (this.isAdminToken(bearer)) {
        return {
          principal: { kind: 'bootstrap', role: 'admin' },
          via: 'admin-token',
        };
      }
      const principal = await this.ofSession(bearer);
      return principal && { principal, via: 'bearer', token: bearer };
    }
    const cookie = cookieOf(request, sessionCookie);
    if (cookie === undefined) {
      return undefined;
    }
    const principal = await this.ofSession(cookie);
    return principal && { principal, via: 'cookie', token: cookie };
  }

  /** A session's principal, refused once its account is disabled or gone. */
  private async ofSession(token: string): Promise<Principal | undefined> {
    const session = await this.sessions.find(token);
    if (!session) {
      return undefined;
    }
    const account = await this.accounts.find(session.accountId);
    if (!account || account.disabled) {
      return undefined;
    }
    // The account's role now, not at login: a demotion takes effect at once.
    return {
      kind: 'account',
      accountId: account.id,
      role: account.role,
      displayName: account.displayName,
    };
  }
}

export function unauthorized(): BridgelineError {
  return new BridgelineError('BL_ERR_UNAUTHORIZED', {
    message:
      'Log in with POST /api/auth/login, or send a session or the admin ' +
      'token as "Authorization: Bearer <token>".',
  });
}

/** The request's principal; 401 if the request has none. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) {
    throw unauthorized();
  }
  return request.principal;
}

/** A preHandler: 403 BL_ERR_FORBIDDEN unless the role is at least `role`. */
export function requireRole(role: Role) {
  // Async only because fastify takes hooks either async or with done().
  // eslint-disable-next-line @typescript-eslint/require-await
  return async (request: FastifyRequest): Promise<void> => {
    if (!roleAtLeast(principalOf(request).role, role)) {
      throw new BridgelineError('BL_ERR_FORBIDDEN');
    }
  };
}

/**
 * For a WebSocket route outside /api: the principal of its upgrade
 * request, by the cookie or a bearer token. Check originAllowed too: a
 * browser sends the cookie with a cross-site WebSocket.
 */
export async function authenticateUpgrade(
  request: FastifyRequest,
): Promise<Principal | undefined> {
  const resolved = await request.server.principals.resolve(request);
  return resolved?.principal;
}

/**
 * Whether a browser request comes from a page of ours: its Origin must be
 * PUBLIC_BASE_URL's origin when that is set, else this server as the Host
 * header names it. No Origin is refused: the endpoints that ask are for
 * browsers only, and every browser sends one with a WebSocket handshake
 * (RFC 6455 section 4.1, and section 10.2 on why servers check it).
 */
export function originAllowed(
  request: FastifyRequest,
  publicBaseUrl: string | undefined,
): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') {
    return false;
  }
  const host = request.headers.host;
  const expected =
    publicBaseUrl === undefined
      ? host === undefined
        ? undefined
        : `${request.protocol}://${host}`
      : new URL(publicBaseUrl).origin;
  if (expected === undefined || !URL.canParse(origin)) {
    return false;
  }
  return new URL(origin).origin === new URL(expected).origin;
}

export interface PrincipalHookOptions {
  publicBaseUrl: string | undefined;
  /** Routes (method and full URL) that need no principal. */
  open: { method: string; url: string }[];
}

/**
 * The /api scope's onRequest hook: sets request.principal or answers 401.
 * A WebSocket upgrade that rides on the cookie must also come from our
 * own origin, or any site the agent visits could open it in their name.
 */
export function principalHook(
  app: FastifyInstance,
  options: PrincipalHookOptions,
) {
  return async (request: FastifyRequest): Promise<void> => {
    const resolved = await app.principals.resolve(request);
    request.principal = resolved?.principal;
    request.sessionToken = resolved?.token;
    const url = request.routeOptions.url;
    const open = options.open.some(
      (route) => route.method === request.method && route.url === url,
    );
    if (open) {
      return;
    }
    if (!resolved) {
      throw unauthorized();
    }
    const upgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
    if (
      upgrade &&
      resolved.via === 'cookie' &&
      !originAllowed(request, options.publicBaseUrl)
    ) {
      throw new BridgelineError('BL_ERR_ORIGIN_REFUSED');
    }
  };
}
