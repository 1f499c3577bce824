import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import net from 'node:net';
import {
  FrameReader,
  frame,
  incomingRequest,
  parsePayload,
  proxyResult,
  reply,
  responseSent,
  type Payload,
  type Transport,
} from './drachtio-wire';
import {
  parseResponse,
  parseSip,
  targetResponse,
  uasResponse,
  uriTarget,
  viaSource,
  type SipMessage,
  type SipResponse,
  type SipSource,
} from './sip-messages';

/**
 * drachtio-server, for tests: the C++ server cannot be installed here, so
 * this peer takes drachtio-srf's inbound connection and speaks the server's
 * side of the wire protocol (see drachtio-wire.ts). It also plays the SIP
 * transaction layer the server gets from sofia-sip: the application's
 * responses go out with the request's Vias and a To tag, and a proxied
 * request is answered as its target would answer it.
 */

export type { Transport } from './drachtio-wire';

export interface PeerOptions {
  secret: string;
  /** The SIP endpoints the server says it listens on, after authenticate. */
  hostports?: string;
  version?: string;
}

export interface SendOptions {
  source?: SipSource;
  transport?: Transport;
  /** How long to wait for the application's answer before calling it none. */
  deadlineMs?: number;
  /** The final status the proxy target answers a proxied request with. */
  targetStatus?: number;
}

export interface ProxyInstruction {
  destinations: string[];
  recordRoute: boolean;
  followRedirects: boolean;
  simultaneous: boolean;
  provisionalTimeout: string;
  finalTimeout: string;
  /** Headers the application adds to the proxied request, by lower-case name. */
  headers: Record<string, string>;
}

export type PeerAnswer =
  | { kind: 'response'; final: SipResponse; provisional: SipResponse[] }
  | { kind: 'proxy'; proxy: ProxyInstruction }
  | { kind: 'none' };

interface Transaction {
  request: SipMessage;
  source: SipSource;
  transport: Transport;
  toTag: string;
  targetStatus: number;
  provisional: SipResponse[];
  settle(answer: PeerAnswer): void;
}

export class DrachtioPeer {
  private readonly events = new EventEmitter();
  private readonly sockets = new Set<net.Socket>();
  private readonly transactions = new Map<string, Transaction>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private app: net.Socket | undefined;
  private refusals = 0;
  private refusing = false;
  /** When each TCP connection arrived (performance.now()), refused or not. */
  readonly connectionTimes: number[] = [];
  /** The SIP methods the application asked to be sent (`route|<verb>`). */
  readonly routes = new Set<string>();

  private constructor(
    private readonly server: net.Server,
    private readonly options: Required<PeerOptions>,
  ) {
    server.on('connection', (socket) => {
      this.connectionTimes.push(performance.now());
      if (this.refusing) {
        socket.destroy();
        return;
      }
      this.accept(socket);
    });
  }

  static async start(options: PeerOptions): Promise<DrachtioPeer> {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new DrachtioPeer(server, {
      hostports: 'udp/127.0.0.1:5060,tcp/127.0.0.1:5060',
      version: 'v0.9.2',
      ...options,
    });
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') {
      throw new Error('the peer is not listening');
    }
    return address.port;
  }

  /** Resolves once an application has authenticated with the secret. */
  async connected(): Promise<void> {
    if (!this.app) {
      await once(this.events, 'authenticated');
    }
  }

  /** Resolves once an application has offered a wrong secret. */
  async refused(): Promise<void> {
    if (this.refusals === 0) {
      await once(this.events, 'refused');
    }
  }

  /**
   * Delivers a request from the network and returns what the application
   * did with it: its responses, its proxy instruction, or nothing before
   * the deadline (a dropped request).
   */
  async send(raw: string, options: SendOptions = {}): Promise<PeerAnswer> {
    const request = parseSip(raw);
    const method = request.startLine.split(' ')[0]?.toLowerCase() ?? '';
    const app = await this.routed(method, options.deadlineMs ?? 2000);
    return this.transact(app, raw, options);
  }

  /**
   * Delivers any bytes as a request from the network, whatever their start
   * line. drachtio-server's own SIP stack would stop some of them first (a
   * response outside any transaction, a method no application routed, a
   * message sofia-sip cannot parse); the torture tests send them anyway,
   * so the application is tested against the raw bytes themselves.
   */
  async deliver(raw: string, options: SendOptions = {}): Promise<PeerAnswer> {
    await this.connected();
    const { app } = this;
    if (!app) {
      throw new Error('no application is connected');
    }
    return this.transact(app, raw, options);
  }

  /** Closes the application's connection, as a restarting server does. */
  dropConnection(): void {
    this.app?.destroy();
  }

  /**
   * While refusing, every new connection is closed at once, as when
   * drachtio-server is down behind a load balancer; times are still kept.
   */
  refuseConnections(refuse: boolean): void {
    this.refusing = refuse;
  }

  private transact(
    app: net.Socket,
    raw: string,
    options: SendOptions,
  ): Promise<PeerAnswer> {
    const request = parseSip(raw);
    const deadlineMs = options.deadlineMs ?? 2000;
    const source = options.source ?? viaSource(request);
    const transport = options.transport ?? 'udp';
    const transactionId = randomUUID();
    const answer = new Promise<PeerAnswer>((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve({ kind: 'none' });
      }, deadlineMs);
      this.timers.add(timer);
      this.transactions.set(transactionId, {
        request,
        source,
        transport,
        toTag: randomUUID().slice(0, 8),
        targetStatus: options.targetStatus ?? 200,
        provisional: [],
        settle: (settled) => {
          clearTimeout(timer);
          this.timers.delete(timer);
          resolve(settled);
        },
      });
    });
    app.write(frame(incomingRequest(raw, transport, source, transactionId)));
    return answer;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  private accept(socket: net.Socket): void {
    const reader = new FrameReader();
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const payload of reader.push(chunk)) {
          this.onPayload(socket, parsePayload(payload));
        }
      } catch {
        // drachtio-server drops a client whose framing is broken.
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(socket);
      // The server forgets a departed application's routes with it.
      if (this.app === socket) {
        this.app = undefined;
        this.routes.clear();
      }
    });
  }

  private onPayload(socket: net.Socket, payload: Payload): void {
    const { msgId, type, tokens } = payload;
    const answer = (text: string) => socket.write(frame(reply(msgId, text)));
    switch (type) {
      case 'authenticate':
        this.authenticate(socket, msgId, tokens[2] ?? '');
        return;
      case 'route':
        this.routes.add((tokens[2] ?? '').toLowerCase());
        this.events.emit('route');
        answer('OK');
        return;
      case 'remove_route':
        this.routes.delete((tokens[2] ?? '').toLowerCase());
        answer('OK');
        return;
      case 'ping':
        answer('OK|pong');
        return;
      case 'sip':
        this.onResponse(socket, payload);
        return;
      case 'proxy':
        this.onProxy(socket, payload);
        return;
      default:
        answer('NO|Unknown message type');
        socket.end();
    }
  }

  private authenticate(socket: net.Socket, msgId: string, secret: string) {
    if (secret !== this.options.secret) {
      // The server answers, then drops the client (client.cpp).
      socket.end(frame(reply(msgId, 'NO|incorrect secret')));
      this.refusals += 1;
      this.events.emit('refused');
      return;
    }
    const { hostports, version } = this.options;
    socket.write(frame(reply(msgId, `OK|${hostports}|${version}`)));
    this.app = socket;
    this.events.emit('authenticated');
  }

  /** `sip|<transaction id>|<dialog id>`: the application answers. */
  private onResponse(socket: net.Socket, payload: Payload): void {
    const transactionId = payload.tokens[2] ?? '';
    const transaction = this.transactions.get(transactionId);
    const fail = (why: string) =>
      socket.write(frame(reply(payload.msgId, `NOK|${why}`)));
    if (!payload.sip.startsWith('SIP/2.0')) {
      fail('the test peer sends no requests for the application');
      return;
    }
    if (!transaction) {
      fail('Unknown transaction id');
      return;
    }
    const { request, toTag, transport, source } = transaction;
    const wire = uasResponse(request, parseSip(payload.sip), toTag);
    socket.write(
      frame(
        responseSent(payload.msgId, wire, transport, source, transactionId),
      ),
    );
    const response = parseResponse(wire);
    if (response.status < 200) {
      transaction.provisional.push(response);
      return;
    }
    const { provisional } = transaction;
    transaction.settle({ kind: 'response', final: response, provisional });
  }

  /**
   * `proxy|<transaction id>|remainInDialog|fullResponse|followRedirects|
   * simultaneous or serial|<provisional timeout>|<final timeout>|<uri>...`,
   * then the headers to add (drachtio-agent.js proxy()).
   */
  private onProxy(socket: net.Socket, payload: Payload): void {
    const { msgId, tokens } = payload;
    const transaction = this.transactions.get(tokens[2] ?? '');
    const destinations = tokens.slice(9).filter((uri) => uri.length > 0);
    const target = destinations[0];
    if (!transaction || target === undefined) {
      socket.write(frame(reply(msgId, 'NOK|Unknown transaction id')));
      return;
    }
    const added = parseSip(payload.sip);
    const proxy: ProxyInstruction = {
      destinations,
      recordRoute: tokens[3] === 'remainInDialog',
      followRedirects: tokens[5] === 'followRedirects',
      simultaneous: tokens[6] === 'simultaneous',
      provisionalTimeout: tokens[7] ?? '',
      finalTimeout: tokens[8] ?? '',
      headers: Object.fromEntries(
        added.headers.map(([name, value]) => [name.toLowerCase(), value]),
      ),
    };
    transaction.settle({ kind: 'proxy', proxy });
    const { request, targetStatus } = transaction;
    const wire = targetResponse(
      request,
      target,
      targetStatus,
      proxy.recordRoute,
    );
    // Both frames in one write, as a server's TCP stack may send them.
    socket.write(
      proxyResult(msgId, wire, uriTarget(target)).map(frame).join(''),
    );
    // The proxy is done (the last frame says so): nothing more can come for
    // this transaction, and a long run would otherwise keep them all.
    this.transactions.delete(tokens[2] ?? '');
  }

  /** The application's socket once it has routed `method`. */
  private async routed(method: string, deadlineMs: number) {
    if (this.routes.has(method) && this.app) {
      return this.app;
    }
    const deadline = AbortSignal.timeout(deadlineMs);
    while (!this.routes.has(method) || !this.app) {
      try {
        await once(this.events, 'route', { signal: deadline });
      } catch {
        throw new Error(`no application routed ${method.toUpperCase()}`);
      }
    }
    return this.app;
  }
}
