import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import websocket from '@fastify/websocket';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { Acd } from '../../src/agents/acd';
import {
  setUpAccounts,
  type AccountServices,
} from '../../src/agents/account-setup';
import { authRoutes } from '../../src/agents/auth-routes';
import {
  sessionDesktopAuth,
  setUpDesktop,
  type Desktop,
  type DesktopSetup,
} from '../../src/agents/desktop';
import { loadConfig } from '../../src/config';
import { PrincipalResolver } from '../../src/http/principal';
import type {
  DesktopActions,
  DesktopAuth,
} from '../../src/agents/desktop/ports';
import type {
  AgentState,
  Contact,
  Offer,
  Principal,
  Role,
} from '../../src/agents/types';
import type { ContextStore } from '../../src/context/store';
import type {
  CallbackReceipt,
  CallbackRequest,
  CallbackRequests,
} from '../../src/escalation/callback-requests';
import { registerErrorHandling } from '../../src/http/errors';
import { anAccountInput, type AccountInput } from './accounts';
import { FrameSocket, type Frame } from './chat-client';
import { until } from './callbacks';
import { digestParams } from './sip-digest';
import {
  headerParam,
  headerValue,
  parseSip,
  serializeSip,
  token,
  type SipMessage,
} from './sip-messages';
import { silentLogger } from './redis';

/**
 * The agent desktop on a server of its own, for tests and the bench:
 * sessions and the ACD stand in as small implementations of the desktop's
 * own interfaces (ports.ts), so a test says exactly who is signed in and
 * sees exactly what the desktop asked routing to do.
 */

export type AgentPrincipal = Extract<Principal, { kind: 'account' }>;

let sequence = 0;

export function anAgent(
  role: Role = 'agent',
  displayName = 'Grace',
): AgentPrincipal {
  sequence += 1;
  return {
    kind: 'account',
    accountId: `a${String(sequence).padStart(5, '0')}${randomBytes(3).toString('hex')}`,
    role,
    displayName,
  };
}

/**
 * Sessions by cookie; Origins by exact match with the server's own, none
 * refused, as src/http/principal.ts does.
 */
export class TestDesktopAuth implements DesktopAuth {
  readonly sessions = new Map<string, Principal>();
  /** Filled in once the server's port is known. */
  ownOrigin = '';

  signIn(principal: Principal): string {
    const token = randomBytes(18).toString('base64url');
    this.sessions.set(token, principal);
    return token;
  }

  authenticate(request: FastifyRequest): Promise<Principal | undefined> {
    const cookies = request.headers.cookie ?? '';
    const match = /(?:^|;\s*)bl_session=([^;]+)/.exec(cookies);
    return Promise.resolve(
      match?.[1] === undefined ? undefined : this.sessions.get(match[1]),
    );
  }

  originAllowed(request: FastifyRequest): boolean {
    const origin = request.headers.origin;
    return origin !== undefined && origin === this.ownOrigin;
  }
}

export type ActionCall =
  | { kind: 'setState'; agentId: string; state: AgentState; reason?: string }
  | { kind: 'accept' | 'decline'; agentId: string; offerId: string }
  | { kind: 'finish'; agentId: string; contactId: string; note?: string };

/** Records what the desktop asked of the ACD; every call succeeds. */
export class RecordingActions implements DesktopActions {
  readonly calls: ActionCall[] = [];

  setState(agentId: string, state: AgentState, reason?: string) {
    this.calls.push({ kind: 'setState', agentId, state, reason });
    return Promise.resolve();
  }
  accept(agentId: string, offerId: string) {
    this.calls.push({ kind: 'accept', agentId, offerId });
    return Promise.resolve();
  }
  decline(agentId: string, offerId: string) {
    this.calls.push({ kind: 'decline', agentId, offerId });
    return Promise.resolve();
  }
  finish(agentId: string, contactId: string, note?: string) {
    this.calls.push({ kind: 'finish', agentId, contactId, note });
    return Promise.resolve();
  }
}

/**
 * The callback service as the desktop sees it: BullMQ and a jambonz to
 * dial through are the callback tests' business; here, what was asked.
 */
export class RecordingCallbacks implements CallbackRequests {
  readonly requests: CallbackRequest[] = [];

  request(request: CallbackRequest): Promise<CallbackReceipt> {
    this.requests.push(request);
    return Promise.resolve({
      status: 'scheduled',
      callbackId: `cb-${request.requestKey}`,
      position: this.requests.length,
      estimatedWaitSeconds: 60,
    });
  }
}

export interface DesktopServer {
  app: FastifyInstance;
  desktop: Desktop;
  /** The real ACD, routing for this instance, when asked for. */
  acd?: Acd;
  /** Real accounts and sessions, with POST /api/auth/login, when asked. */
  accounts?: AccountServices;
  auth: TestDesktopAuth;
  actions: RecordingActions;
  /** http://127.0.0.1:<port> */
  base: string;
  close(): Promise<void>;
}

/** One bridgeline instance's desktop part, on the store's Redis. */
export async function startDesktopServer(
  store: ContextStore,
  options: {
    callbacks?: CallbackRequests;
    handoff?: DesktopSetup['handoff'];
    sipWsUri?: string;
    sipDomain?: string;
    logger?: Logger;
    /** Route with the real ACD instead of recording what is asked. */
    withAcd?: boolean;
    /** Sign in with real accounts and sessions instead of TestDesktopAuth. */
    withSessions?: boolean;
  } = {},
): Promise<DesktopServer> {
  const auth = new TestDesktopAuth();
  const accounts =
    options.withSessions === true
      ? setUpAccounts({
          config: loadConfig({
            REDIS_URL: 'redis://unused',
            HOST: '127.0.0.1',
          }),
          redis: store.redis,
          logger: options.logger ?? silentLogger,
        })
      : undefined;
  const actions = new RecordingActions();
  const logger = options.logger ?? silentLogger;
  const routing: { acd?: Acd } = {};
  const acd = () => {
    if (!routing.acd) {
      throw new Error('the ACD is not built yet');
    }
    return routing.acd;
  };
  const desktop = setUpDesktop({
    store,
    logger,
    // PUBLIC_BASE_URL unset: the Origin must be the Host asked for.
    auth: accounts ? sessionDesktopAuth(undefined) : auth,
    ...(accounts === undefined
      ? {}
      : {
          sipUserOf: async (agentId: string) =>
            (await accounts.accounts.find(agentId))?.sipUser,
        }),
    ...(options.withAcd === true ? { acd } : { actions }),
    ...(options.callbacks === undefined
      ? {}
      : { callbacks: options.callbacks }),
    ...(options.handoff === undefined ? {} : { handoff: options.handoff }),
    ...(options.sipWsUri === undefined ? {} : { sipWsUri: options.sipWsUri }),
    ...(options.sipDomain === undefined
      ? {}
      : { sipDomain: options.sipDomain }),
  });
  if (options.withAcd === true) {
    // Built after the desktop, with its hooks, as the app builds it.
    routing.acd = new Acd({
      redis: store.redis,
      logger,
      clock: { now: () => Date.now() },
      hooks: desktop.hooks,
    });
  }
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({ loggerInstance });
  registerErrorHandling(app);
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });
  if (accounts) {
    app.decorate(
      'principals',
      new PrincipalResolver(
        'desktop-test-admin-token-0123456789',
        accounts.sessions,
        accounts.accounts,
      ),
    );
    await app.register(
      (api, _options, done) => {
        authRoutes(api, accounts);
        done();
      },
      { prefix: '/api' },
    );
  }
  desktop.routes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  auth.ownOrigin = base;
  await desktop.start();
  return {
    app,
    desktop,
    ...(routing.acd === undefined ? {} : { acd: routing.acd }),
    ...(accounts === undefined ? {} : { accounts }),
    auth,
    actions,
    base,
    async close() {
      await app.close();
      await routing.acd?.close();
      await desktop.close();
    },
  };
}

/** A desktop socket signed in with `session`; resolves once greeted. */
export async function aDesktopSocket(
  base: string,
  session: string,
  origin: string = base,
): Promise<FrameSocket> {
  const socket = await FrameSocket.open(
    `${base.replace(/^http/, 'ws')}/api/desktop/ws`,
    { cookie: `bl_session=${session}`, origin },
  );
  await socket.next(isFrame('hello'));
  return socket;
}

export function isFrame(
  type: string,
  also: (frame: Frame) => boolean = () => true,
) {
  return (frame: Frame) => frame.type === type && also(frame);
}

export function aContact(overrides: Partial<Contact> = {}): Contact {
  sequence += 1;
  return {
    id: `k${sequence}${randomBytes(4).toString('hex')}`,
    kind: 'voice',
    queue: 'support',
    skills: [],
    priority: 5,
    enqueuedAt: Date.now(),
    ...overrides,
  };
}

export function anOffer(
  agentId: string,
  contact: Contact = aContact(),
  overrides: Partial<Offer> = {},
): Offer {
  return {
    offerId: `o${randomBytes(8).toString('hex')}`,
    agentId,
    contact,
    reason: 'longest-idle',
    expiresAt: Date.now() + 20_000,
    ...overrides,
  };
}

/**
 * An account made on the server's real account store, signed in through
 * POST /api/auth/login as the page does; the session is the cookie's.
 */
export async function aLoggedInAgent(
  server: DesktopServer,
  overrides: Partial<AccountInput> = {},
) {
  if (!server.accounts) {
    throw new Error('start the desktop server withSessions');
  }
  const input = anAccountInput({ queues: [], skills: [], ...overrides });
  const account = await server.accounts.accounts.create(input);
  const response = await fetch(`${server.base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.base },
    body: JSON.stringify({
      username: input.username,
      password: input.password,
    }),
  });
  if (response.status !== 200) {
    throw new Error(`login answered ${response.status}`);
  }
  const cookie = response.headers.get('set-cookie') ?? '';
  const session = /bl_session=([^;]+)/.exec(cookie)?.[1];
  if (session === undefined) {
    throw new Error('login set no bl_session cookie');
  }
  return { account, input, session };
}

/** A SIP peer's view of one call it placed to a softphone. */
export interface SipCall {
  /** The INVITE as sent, for the dialog's Call-ID, From and CSeq. */
  invite: SipMessage;
  /** ACK for the softphone's 2xx, to its Contact (RFC 3261 §13.2.2.4). */
  ack(ok: SipMessage): void;
}

/**
 * A SIP registrar on WebSocket (RFC 7118), standing in for the SIP edge,
 * whose drachtio-server cannot run here: it challenges each REGISTER
 * (RFC 3261 section 22.4, without qop as RFC 2617 allows) and accepts it
 * once the digest matches `password`. It can then call a registered
 * softphone on its own socket, as the edge does (RFC 7118 §5: requests to
 * a WebSocket client go over the connection it registered on), and it
 * records every request and response the softphone sends.
 */
export async function aSipRegistrar(realm: string, password: string) {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
  });
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const self = `127.0.0.1:${port}`;
  const registered: string[] = [];
  const phones = new Map<string, { socket: WebSocket; contact: string }>();
  const received: SipMessage[] = [];
  const taken = new Set<SipMessage>();
  const nonce = randomBytes(8).toString('hex');

  const answerRegister = (socket: WebSocket, request: SipMessage) => {
    const authorization = headerValue(request, 'authorization') ?? '';
    const params = digestParams(authorization);
    const user = params.username ?? '';
    const ha1 = md5(`${user}:${realm}:${password}`);
    const expected = md5(
      `${ha1}:${nonce}:${md5(`REGISTER:${params.uri ?? ''}`)}`,
    );
    const ok = authorization !== '' && params.response === expected;
    const contact = headerValue(request, 'contact') ?? '';
    if (ok) {
      registered.push(user);
      phones.set(user, {
        socket,
        contact: /<([^>]+)>/.exec(contact)?.[1] ?? '',
      });
    }
    reply(socket, request, ok ? '200 OK' : '401 Unauthorized', {
      headers: ok
        ? [['Contact', `${contact};expires=600`]]
        : [['WWW-Authenticate', `Digest realm="${realm}", nonce="${nonce}"`]],
    });
  };

  server.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      const message = parseSip(data.toString('utf8'));
      received.push(message);
      if (message.startLine.startsWith('REGISTER ')) {
        answerRegister(socket, message);
      }
    });
  });

  const phoneOf = (user: string) => {
    const phone = phones.get(user);
    if (!phone) {
      throw new Error(`${user} has not registered`);
    }
    return phone;
  };

  return {
    uri: `ws://${self}`,
    registered,
    /** Everything the softphones sent, oldest first. */
    received,

    /** Offers `sdp` to `user`'s softphone (RFC 3261 §13.2.1). */
    invite(user: string, sdp: string): SipCall {
      const phone = phoneOf(user);
      const invite: SipMessage = {
        startLine: `INVITE ${phone.contact} SIP/2.0`,
        headers: [
          ['Via', `SIP/2.0/WS ${self};branch=z9hG4bK${token()}`],
          ['Max-Forwards', '70'],
          ['From', `"Caller" <sip:caller@${realm}>;tag=${token()}`],
          ['To', `<sip:${user}@${realm}>`],
          ['Call-ID', `${token()}@${self}`],
          ['CSeq', '1 INVITE'],
          ['Contact', `<sip:caller@${self};transport=ws>`],
          ['Content-Type', 'application/sdp'],
        ],
        body: sdp,
      };
      phone.socket.send(serializeSip(invite));
      return {
        invite,
        ack(ok) {
          const contact = headerValue(ok, 'contact') ?? '';
          const sequence = (headerValue(invite, 'cseq') ?? '').split(' ')[0];
          const ack: SipMessage = {
            startLine: `ACK ${/<([^>]+)>/.exec(contact)?.[1] ?? ''} SIP/2.0`,
            headers: [
              // The ACK for a 2xx is a transaction of its own: a new branch.
              ['Via', `SIP/2.0/WS ${self};branch=z9hG4bK${token()}`],
              ['Max-Forwards', '70'],
              ['From', headerValue(invite, 'from') ?? ''],
              ['To', headerValue(ok, 'to') ?? ''],
              ['Call-ID', headerValue(invite, 'call-id') ?? ''],
              ['CSeq', `${sequence ?? '1'} ACK`],
            ],
            body: '',
          };
          phone.socket.send(serializeSip(ack));
        },
      };
    },

    /**
     * Answers a request `user`'s softphone sent in a dialog (a re-INVITE,
     * INFO or BYE) with `status`, and an SDP answer when given one.
     */
    reply(user: string, request: SipMessage, status: string, sdp?: string) {
      const headers: [string, string][] = [
        ['Contact', `<sip:caller@${self};transport=ws>`],
      ];
      if (sdp !== undefined) {
        headers.push(['Content-Type', 'application/sdp']);
      }
      reply(phoneOf(user).socket, request, status, {
        headers,
        body: sdp ?? '',
      });
    },

    /**
     * The first message the softphones sent that `matches` and no earlier
     * call took, waiting for it up to the deadline.
     */
    async next(
      matches: (message: SipMessage) => boolean,
      deadlineMs = 8000,
    ): Promise<SipMessage> {
      let found: SipMessage | undefined;
      await until(() => {
        found = received.find((m) => !taken.has(m) && matches(m));
        return found !== undefined;
      }, deadlineMs);
      if (!found) {
        throw new Error('no such SIP message arrived');
      }
      taken.add(found);
      return found;
    },

    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) {
          client.terminate();
        }
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A request of `method`, e.g. the softphone's re-INVITE or BYE. */
export function isSipRequest(method: string) {
  return (message: SipMessage) => message.startLine.startsWith(`${method} `);
}

/** A response of `status` to a request of `method`, by its CSeq. */
export function isSipResponse(status: number, method: string) {
  return (message: SipMessage) =>
    message.startLine.startsWith(`SIP/2.0 ${status} `) &&
    (headerValue(message, 'cseq') ?? '').endsWith(` ${method}`);
}

/**
 * A response to `request` (RFC 3261 §8.2.6.2): its Via, From, Call-ID
 * and CSeq as they came, and its To with a tag when it had none.
 */
function reply(
  socket: WebSocket,
  request: SipMessage,
  status: string,
  extra: { headers?: [string, string][]; body?: string },
) {
  const to = headerValue(request, 'to') ?? '';
  const tagged =
    headerParam(to, 'tag') === undefined ? `${to};tag=${token()}` : to;
  const echoed = request.headers.filter(([name]) =>
    ['via', 'from', 'call-id', 'cseq'].includes(name.toLowerCase()),
  );
  socket.send(
    serializeSip({
      startLine: `SIP/2.0 ${status}`,
      headers: [...echoed, ['To', tagged], ...(extra.headers ?? [])],
      body: extra.body ?? '',
    }),
  );
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
