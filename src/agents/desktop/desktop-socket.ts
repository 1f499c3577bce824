// The type import brings in the plugin's websocket route options.
import type {} from '@fastify/websocket';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
} from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { ContextStore } from '../../context/store';
import { BridgelineError, isBridgelineError } from '../../errors';
import { pushFrame } from '../../http/ws-frames';
import { roleAtLeast, type Contact, type Principal } from '../types';
import type { DesktopHub } from './desktop-hub';
import { remember, wrapUp } from './held-contacts';
import { LiveContacts } from './live-contacts';
import type { DesktopActions, DesktopAuth, DesktopLiveChat } from './ports';
import {
  maxFrameBytes,
  parseClientFrame,
  toBuffer,
  type ClientFrame,
  type ServerFrame,
} from './protocol';

/**
 * GET /api/desktop/ws: an agent's desktop. Who it is comes from the
 * session cookie, checked with the Origin in an onRequest hook, so a
 * request without a session or from a foreign page gets its 401 or 403
 * as a plain HTTP answer and no WebSocket handler ever runs for it.
 */

export interface DesktopSocketOptions {
  auth: DesktopAuth;
  actions: DesktopActions;
  hub: DesktopHub;
  store: ContextStore;
  /** Without it chat messages reach the desktop only in its timeline. */
  liveChat?: DesktopLiveChat;
}

// RFC 6455 section 7.4.1: 1009, a message too big to process.
const tooBig = 1009;

type AgentPrincipal = Extract<Principal, { kind: 'account' }>;

declare module 'fastify' {
  interface FastifyRequest {
    desktopAgent?: AgentPrincipal;
  }
}

export function desktopSocketRoute(
  app: FastifyInstance,
  options: DesktopSocketOptions,
): void {
  app.get(
    '/api/desktop/ws',
    {
      websocket: true,
      onRequest: async (request: FastifyRequest) => {
        request.desktopAgent = await admitDesktop(request, options.auth);
      },
    },
    (socket, request) => {
      const agent = request.desktopAgent;
      if (!agent) {
        // onRequest admitted it; this only keeps the types honest.
        socket.close(1008, 'no session');
        return;
      }
      serveDesktop(socket, agent, options, request.log);
    },
  );
}

/**
 * Origin first: a foreign page learns nothing, not even about sessions.
 * A browser sends Origin with every WebSocket handshake (RFC 6455 section
 * 4.1) and every POST, but not with a same-origin GET: a GET that reads
 * only the agent's own settings skips the check.
 */
export async function admitDesktop(
  request: FastifyRequest,
  auth: DesktopAuth,
  checkOrigin = true,
): Promise<AgentPrincipal> {
  if (checkOrigin && !auth.originAllowed(request)) {
    throw new BridgelineError('BL_ERR_ORIGIN_REFUSED');
  }
  const principal = await auth.authenticate(request);
  if (!principal) {
    throw new BridgelineError('BL_ERR_UNAUTHORIZED');
  }
  // The bootstrap token is an operator's, not an agent's: it has no
  // desktop to pop on.
  if (principal.kind !== 'account') {
    throw new BridgelineError('BL_ERR_FORBIDDEN');
  }
  return principal;
}

function serveDesktop(
  socket: WebSocket,
  agent: AgentPrincipal,
  options: DesktopSocketOptions,
  parentLog: FastifyBaseLogger,
): void {
  const log = parentLog.child({
    component: 'desktop',
    agentId: agent.accountId,
  });
  const contacts = new Map<string, Contact>();
  // Offer id to contact: an accepted offer's contact is followed live.
  const offers = new Map<string, Contact>();
  const stops: (() => void)[] = [];
  let closed = false;
  let turn = Promise.resolve();

  const send = (frame: ServerFrame) => {
    if (!closed) {
      socket.send(JSON.stringify(frame));
    }
  };
  const refuse = (err: unknown) => {
    const error = isBridgelineError(err)
      ? err
      : new BridgelineError('BL_ERR_INTERNAL');
    if (!isBridgelineError(err)) {
      log.error({ err }, 'desktop frame failed');
    }
    send({
      type: 'error',
      code: error.code,
      message: error.message,
      ...(error.field === undefined ? {} : { field: error.field }),
    });
  };
  const watching = (stop: () => void) => {
    if (closed) {
      stop();
    } else {
      stops.push(stop);
    }
  };

  // What is pushed before hello waits for it: the desktop reads hello
  // first, and from hello on misses nothing published for it. A desktop
  // that stops reading is dropped (pushFrame); it reconnects to a fresh
  // hello.
  let greeted = false;
  const early: string[] = [];
  const push = (text: string) => {
    if (closed) {
      return;
    }
    if (greeted) {
      // Sent as published: no second serialisation on the hot path.
      if (pushFrame(socket, text) === 'dropped') {
        log.info('desktop dropped: it stopped reading its frames');
      }
    } else {
      early.push(text);
    }
  };
  const live = new LiveContacts(
    options.liveChat,
    (frame) => {
      push(JSON.stringify(frame));
    },
    async (contactId) =>
      options.actions.contactOf === undefined ||
      (await options.actions.contactOf(agent.accountId, contactId)) !==
        undefined,
    log,
  );
  const followHeld = () => {
    options.actions.contactsOf?.(agent.accountId).then(
      (held) => {
        for (const contact of held) {
          remember(contacts, contact);
          live.given(contact);
        }
      },
      (err: unknown) => {
        log.warn({ err }, 'held contacts not read');
      },
    );
  };
  const watches = [
    options.hub.watchAgent(agent.accountId, (frame, text) => {
      push(text);
      if (frame.type === 'screen-pop') {
        remember(contacts, frame.offer.contact);
        remember(offers, frame.offer.contact, frame.offer.offerId);
        live.offered(frame.offer.contact);
      }
      // Accepted here or over HTTP, in this tab or another: the ACD tells
      // every desktop of the agent, and each shows the chat from now on.
      const gone =
        frame.type === 'offer-gone' ? offers.get(frame.offerId) : undefined;
      if (frame.type === 'offer-gone' && gone) {
        if (frame.why === 'accepted') {
          live.given(gone);
        } else {
          live.stop(gone.id);
        }
      } else if (frame.type === 'offer-gone' && frame.why === 'accepted') {
        // Popped before this tab opened: the ACD knows what was taken.
        followHeld();
      }
    }),
  ];
  if (roleAtLeast(agent.role, 'supervisor')) {
    watches.push(
      options.hub.watchQueues((_frame, text) => {
        push(text);
      }),
    );
  }
  void Promise.allSettled(watches).then((settled) => {
    for (const result of settled) {
      if (result.status === 'fulfilled') {
        watching(result.value);
      }
    }
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) {
      log.error({ err: failed.reason }, 'desktop not subscribed');
      socket.close(1011, 'not subscribed');
      return;
    }
    send({
      type: 'hello',
      agent: {
        id: agent.accountId,
        displayName: agent.displayName,
        role: agent.role,
      },
    });
    greeted = true;
    for (const text of early.splice(0)) {
      push(text);
    }
    log.info({ role: agent.role }, 'desktop connected');
    // Chats the agent already holds, for a tab opened after the accept.
    followHeld();
    // The state the agent is in now; changes come as they happen.
    options.actions.current?.(agent.accountId).then(
      (now) => {
        if (now) {
          send({ type: 'state', state: now.state, reason: now.reason ?? null });
        }
      },
      (err: unknown) => {
        log.warn({ err }, 'agent state not read');
      },
    );
  });

  const handle = async (frame: ClientFrame) => {
    const agentId = agent.accountId;
    const { actions } = options;
    if (frame.type === 'state') {
      await actions.setState(agentId, frame.state, frame.reason);
    } else if (frame.type === 'accept') {
      await actions.accept(agentId, frame.offerId);
    } else if (frame.type === 'decline') {
      await actions.decline(agentId, frame.offerId);
    } else {
      await wrapUp(agentId, frame, contacts, options);
      live.stop(frame.contactId);
    }
    send({ type: 'ack', of: frame.type });
  };

  socket.on('message', (data: RawData, isBinary: boolean) => {
    const bytes = toBuffer(data);
    if (bytes.length > maxFrameBytes) {
      socket.close(tooBig, 'frame too large');
      return;
    }
    let frame: ClientFrame;
    try {
      frame = parseClientFrame(bytes, isBinary);
    } catch (err) {
      refuse(err);
      return;
    }
    // One at a time, in the order sent: accept before finish.
    turn = turn.then(() => handle(frame)).catch(refuse);
  });

  socket.on('close', (code: number) => {
    log.info({ code }, 'desktop closed');
    closed = true;
    live.close();
    for (const stop of stops.splice(0)) {
      stop();
    }
  });
}
