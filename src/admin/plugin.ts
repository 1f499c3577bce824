import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import type { FlowStore } from '../ivr/flow-store';
import { diffRoutes } from './diff-routes';
import { flowRoutes } from './flow-routes';
import { numberRoutes } from './number-routes';

export interface AdminOptions {
  flowStore: FlowStore;
}

/** YAML bodies an admin may send instead of JSON, e.g. with curl. */
const yamlTypes = ['application/yaml', 'application/x-yaml', 'text/yaml'];

/**
 * The admin API, mounted under /api/admin behind the admin token: flows
 * (drafts, versions, publish, rollback, the diff between two versions)
 * and the number-to-flow map.
 */
export function adminPlugin(options: AdminOptions): FastifyPluginCallback {
  return (admin: FastifyInstance, _pluginOptions, done) => {
    // Only this scope reads YAML; the rest of the API stays JSON-only.
    admin.addContentTypeParser(
      yamlTypes,
      { parseAs: 'string' },
      (_request, body, parsed) => {
        parsed(null, body);
      },
    );
    flowRoutes(admin, options);
    diffRoutes(admin, options);
    numberRoutes(admin, options);
    done();
  };
}
