import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../context/validate';
import { BridgelineError } from '../../errors';
import type { CallbackRequests } from '../../escalation/callback-requests';
import type { CapabilityServices } from '../../ivr/types';
import { admitDesktop } from './desktop-socket';
import type { DesktopAuth } from './ports';

/**
 * The desktop page and its assets, the softphone's settings, and the two
 * small actions the page has no other API for: book a callback, send a
 * chat link. The page is public (it is the sign-in form); everything
 * under /api/desktop needs a session, as the WebSocket does.
 */

export interface DesktopRouteOptions {
  auth: DesktopAuth;
  /** SIP over WebSocket (RFC 7118) for the softphone; unset: offline. */
  sipWsUri?: string;
  sipDomain?: string;
  /** The agent's SIP user (accounts keep it), to register the phone as. */
  sipUserOf?: (agentId: string) => Promise<string | undefined>;
  callbacks?: CallbackRequests;
  handoff?: CapabilityServices['handoff'];
  /**
   * Whether the agent holds (or was offered) a contact of the customer's;
   * no one acts on a customer routing did not give them. Without it the
   * two actions are refused.
   */
  mayActOn?: (agentId: string, customerId: string) => Promise<boolean>;
}

// From src/agents/desktop or dist/agents/desktop alike: the repo root.
const root = path.join(__dirname, '..', '..', '..');
const webDir = path.join(root, 'src', 'web', 'desktop');
/** scripts/build-web.mjs writes JsSIP, bundled for browsers, here. */
export const bundleFile = path.join(root, 'dist', 'web', 'jssip.js');

const scripts = [
  'card.js',
  'composer.js',
  'queues.js',
  'softphone.js',
  'desktop.js',
];

const conversationParams = z.strictObject({
  customerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  conversationId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
});
const callbackBody = z.strictObject({
  /** The page's id for this click: a double click books one call. */
  requestId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '8-64 letters, -_'),
});

export function desktopRoutes(
  app: FastifyInstance,
  options: DesktopRouteOptions,
): void {
  const page = readFileSync(path.join(webDir, 'index.html'));
  const style = readFileSync(path.join(webDir, 'style.css'));
  const policy = pagePolicy(options.sipWsUri);

  app.get('/desktop', (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', policy)
      .header('cache-control', 'no-cache')
      .send(page),
  );
  app.get('/desktop/style.css', (_request, reply) =>
    reply.type('text/css; charset=utf-8').send(style),
  );
  for (const name of scripts) {
    const script = readFileSync(path.join(webDir, name));
    app.get(`/desktop/${name}`, (_request, reply) =>
      reply.type('text/javascript; charset=utf-8').send(script),
    );
  }
  // Read when asked: a server started before the build still serves it
  // once it is there.
  app.get('/desktop/jssip.js', (_request, reply) => {
    let bundle: Buffer;
    try {
      bundle = readFileSync(bundleFile);
    } catch {
      throw new BridgelineError('BL_ERR_ROUTE_NOT_FOUND', {
        message: 'The softphone is not built; run npm run build.',
      });
    }
    return reply.type('text/javascript; charset=utf-8').send(bundle);
  });

  void app.register((api, _options, done) => {
    api.addHook('onRequest', async (request: FastifyRequest) => {
      const reads = request.method === 'GET' || request.method === 'HEAD';
      request.desktopAgent = await admitDesktop(request, options.auth, !reads);
    });

    // The SIP password is the agent's to type: no credential is handed
    // to the page, where a script could read it.
    api.get('/api/desktop/config', async (request) => {
      const agentId = request.desktopAgent?.accountId;
      const sipUser =
        agentId === undefined ? undefined : await options.sipUserOf?.(agentId);
      return {
        sipWsUri: options.sipWsUri ?? null,
        sipDomain: options.sipDomain ?? null,
        sipUser: sipUser ?? agentId ?? null,
      };
    });

    api.post(
      '/api/desktop/conversations/:customerId/:conversationId/callback',
      async (request, reply) => {
        const target = parseInput(conversationParams, request.params);
        await mustHold(request, target.customerId, options);
        const { requestId } = parseInput(callbackBody, request.body);
        if (!options.callbacks) {
          throw new BridgelineError('BL_ERR_CALLBACKS_UNAVAILABLE');
        }
        const receipt = await options.callbacks.request({
          ...target,
          // The customer asked the agent, in whatever channel they are on;
          // chat is the nearest source the callback service knows.
          source: 'chat',
          requestKey: `desktop-${requestId}`,
        });
        return reply.status(201).send(receipt);
      },
    );

    api.post(
      '/api/desktop/conversations/:customerId/:conversationId/chat-link',
      async (request, reply) => {
        const { customerId, conversationId } = parseInput(
          conversationParams,
          request.params,
        );
        await mustHold(request, customerId, options);
        if (!options.handoff?.available('sms')) {
          throw new BridgelineError('BL_ERR_SMS_NOT_CONFIGURED');
        }
        // The handoff texts the customer's best phone number, or emails
        // them when it cannot; the link continues this conversation.
        const result = await options.handoff.perform(
          {
            callSid: `desktop-${conversationId}`,
            customerId,
            conversationId,
            flowId: 'desktop',
            path: [],
          },
          'sms',
        );
        return reply.status(result.outcome === 'done' ? 201 : 409).send(result);
      },
    );
    done();
  });
}

async function mustHold(
  request: FastifyRequest,
  customerId: string,
  options: DesktopRouteOptions,
): Promise<void> {
  const agentId = request.desktopAgent?.accountId;
  const holds =
    agentId !== undefined &&
    options.mayActOn !== undefined &&
    (await options.mayActOn(agentId, customerId));
  if (!holds) {
    throw new BridgelineError('BL_ERR_FORBIDDEN');
  }
}

/** Its own scripts only; connections to itself and the SIP WebSocket. */
function pagePolicy(sipWsUri: string | undefined): string {
  const sip = sipWsUri === undefined ? '' : ` ${new URL(sipWsUri).origin}`;
  return (
    "default-src 'none'; script-src 'self'; style-src 'self'; " +
    `connect-src 'self'${sip}; img-src 'self' data:; base-uri 'none'; ` +
    "form-action 'none'; frame-ancestors 'none'"
  );
}
