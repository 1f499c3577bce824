import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The session cookie, read and written by hand (RFC 6265). @fastify/cookie
 * loads its parser, the ESM-only `cookie` package, with a dynamic import(),
 * which jest's CommonJS runtime cannot run, and the server would not start
 * under test. One cookie with a base64url value needs no more than this.
 */

/** A cookie's value from the Cookie header (RFC 6265 section 5.4). */
export function cookieOf(
  request: FastifyRequest,
  name: string,
): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) {
    return undefined;
  }
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) {
      return pair.slice(at + 1).trim() || undefined;
    }
  }
  return undefined;
}

export interface SessionCookieOptions {
  maxAgeSeconds: number;
  secure: boolean;
}

// HttpOnly: no script reads it. SameSite=Strict: no other site's page
// sends it (RFC 6265bis section 5.4.7). Secure when we are served on https.
function attributes(maxAge: number, secure: boolean): string {
  return [
    `Max-Age=${maxAge}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** Sets a cookie whose value is a base64url token (no quoting needed). */
export function setSessionCookie(
  reply: FastifyReply,
  name: string,
  token: string,
  options: SessionCookieOptions,
): void {
  reply.header(
    'set-cookie',
    `${name}=${token}; ${attributes(options.maxAgeSeconds, options.secure)}`,
  );
}

/** Tells the browser to drop the cookie (Max-Age=0, RFC 6265 5.2.2). */
export function clearSessionCookie(
  reply: FastifyReply,
  name: string,
  secure: boolean,
): void {
  reply.header('set-cookie', `${name}=; ${attributes(0, secure)}`);
}
