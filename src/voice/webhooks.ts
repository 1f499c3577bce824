import websocket from '@fastify/websocket';
import type { Channels } from '../channels/setup';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseInput } from '../context/validate';
import { BridgelineError } from '../errors';
import { nodeIdPattern } from '../ivr/flow';
import type { CallService } from './call-service';
import { actionPayload, callPayload, statusPayload } from './payloads';
import { queueWebhooks, type QueueWebhookOptions } from './queue-webhooks';
import type { Recordings } from './recordings';
import { signatureHeader, verifyWebhookSignature } from './signature';
import { chooseSubprotocol, voicemailStreamRoute } from './voicemail';

export interface WebhookOptions {
  calls: CallService;
  /** JAMBONZ_WEBHOOK_SECRET; undefined accepts unsigned webhooks. */
  webhookSecret: string | undefined;
  /** The webhooks of calls routed to agents, when routing runs. */
  queue?: QueueWebhookOptions;
}

export interface VoiceRouteOptions extends WebhookOptions {
  recordings: Recordings;
}

/**
 * Everything jambonz reaches bridgeline by: the webhooks under /jambonz,
 * each scope with its own body parsing and signature check, and the
 * voicemail websocket, which carries a token instead of a signature. The
 * websocket plugin is registered here, once, for every websocket route.
 */
export function voiceRoutes(
  app: FastifyInstance,
  options: VoiceRouteOptions,
  channels?: Pick<Channels, 'jambonzWebhooks'>,
): void {
  void app.register(websocket, {
    options: { handleProtocols: chooseSubprotocol, maxPayload: 1024 * 1024 },
  });
  void app.register(
    (scope, _options, done) => {
      jambonzWebhooks(scope, options);
      // The messaging webhook (SMS) shares the scope and its signature check.
      channels?.jambonzWebhooks(scope);
      done();
    },
    { prefix: '/jambonz' },
  );
  void app.register((scope, _options, done) => {
    voicemailStreamRoute(scope, options);
    done();
  });
}

/**
 * The webhooks jambonz calls (jambonz docs, "Webhooks"), mounted under
 * /jambonz: the call hook for a new call, the action hooks of the verbs
 * bridgeline returned, and the call status hook. Each answers with a JSON
 * array of verbs, or `{}` for a status.
 */
export function jambonzWebhooks(
  app: FastifyInstance,
  { calls, webhookSecret, queue }: WebhookOptions,
): void {
  if (webhookSecret === undefined) {
    app.log.warn(
      'JAMBONZ_WEBHOOK_SECRET is not set: /jambonz webhooks are accepted ' +
        'unsigned, and their X-Bridgeline headers are believed',
    );
  } else {
    requireSignature(app, webhookSecret);
  }

  app.post('/call', async (request) => {
    const payload = parseInput(callPayload, request.body);
    const log = request.log.child({ callSid: payload.call_sid });
    // Only a signed webhook, or any in a deployment that runs unsigned,
    // gets here: its X-Bridgeline headers may be believed.
    return calls.startCall(payload, true, log);
  });

  app.post<{ Params: { node: string } }>('/action/:node', async (request) => {
    const { node } = request.params;
    if (!nodeIdPattern.test(node)) {
      throw new BridgelineError('BL_ERR_INVALID_INPUT', {
        field: 'node',
        message: 'node: not a node id bridgeline gives its action hooks',
      });
    }
    const payload = parseInput(actionPayload, request.body);
    const log = request.log.child({ callSid: payload.call_sid });
    return calls.continueCall(node, payload, log);
  });

  app.post('/status', async (request) => {
    const payload = parseInput(statusPayload, request.body);
    const log = request.log.child({ callSid: payload.call_sid });
    await calls.callStatus(payload, log);
    return {};
  });

  if (queue) {
    queueWebhooks(app, queue);
  }
}

/**
 * Checks the Jambonz-Signature of every request in this scope against the
 * body's raw bytes. JSON is the only body taken here, and its parser checks
 * the signature before it parses, so a forged body is refused before any
 * of it is read as data.
 */
function requireSignature(app: FastifyInstance, secret: string): void {
  const verified = new WeakSet<FastifyRequest>();
  const check = (request: FastifyRequest, raw: Buffer): void => {
    const header = request.headers[signatureHeader];
    const result = verifyWebhookSignature(
      typeof header === 'string' ? header : undefined,
      raw,
      secret,
    );
    if (!result.ok) {
      request.log.info(
        { problem: result.problem },
        'webhook signature refused',
      );
      throw new BridgelineError('BL_ERR_WEBHOOK_SIGNATURE', {
        field: signatureHeader,
      });
    }
    verified.add(request);
  };

  // Unsigned requests are turned away before their body is read at all.
  // eslint-disable-next-line @typescript-eslint/require-await
  app.addHook('onRequest', async (request) => {
    if (request.headers[signatureHeader] === undefined) {
      check(request, Buffer.alloc(0));
    }
  });

  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request, body: Buffer, done) => {
      try {
        check(request, body);
      } catch (err) {
        done(err as BridgelineError, undefined);
        return;
      }
      void parseJson(request, body.toString('utf8'), done);
    },
  );

  // A request without a body never meets the parser: check it here.
  // eslint-disable-next-line @typescript-eslint/require-await
  app.addHook('preHandler', async (request) => {
    if (!verified.has(request)) {
      check(request, Buffer.alloc(0));
    }
  });
}
