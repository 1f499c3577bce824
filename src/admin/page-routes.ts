import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BridgelineError } from '../errors';

/**
 * The admin pages: one HTML shell, its scripts and its stylesheet,
 * served as written from src/web/admin. Public on purpose: the files hold
 * no data, and every request the page makes goes to /api, which checks
 * the admin's credentials.
 */

// From src/admin or dist/admin alike: the repository root.
const webDir = path.join(__dirname, '..', '..', 'src', 'web', 'admin');

// Only the page's own files run and it talks only to its own origin; no
// inline script or style, so text an admin typed can never become code.
const pagePolicy =
  "default-src 'self'; script-src 'self'; style-src 'self'; " +
  "connect-src 'self'; img-src 'self' data:; object-src 'none'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const assetTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

type WithAsset = { Params: { asset: string } };

export function adminPageRoutes(app: FastifyInstance): void {
  const page = readFileSync(path.join(webDir, 'index.html'));
  // Read once at start: the set of files served is fixed, so a request
  // can only ever name one of them, never a path.
  const assets = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(webDir)) {
    const type = assetTypes[path.extname(name)];
    if (type !== undefined) {
      assets.set(name, { type, body: readFileSync(path.join(webDir, name)) });
    }
  }

  const sendPage = (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', pagePolicy)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      // Revalidate each time, so an upgrade reaches every open browser.
      .header('cache-control', 'no-cache')
      .send(page);
  app.get('/admin', sendPage);
  app.get('/admin/', sendPage);

  app.get<WithAsset>('/admin/:asset', (request, reply) => {
    const asset = assets.get(request.params.asset);
    if (!asset) {
      throw new BridgelineError('BL_ERR_ROUTE_NOT_FOUND');
    }
    return reply
      .type(asset.type)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .send(asset.body);
  });
}
