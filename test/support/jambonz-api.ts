import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { postWebhook, type WebhookReply } from './jambonz';

/**
 * A stand-in for the jambonz REST API (jambonz docs, "REST API"): the one
 * service the channel tests cannot run here. It listens on loopback,
 * checks the bearer API key, answers as jambonz does and keeps every
 * request it was sent, so a test asserts on what bridgeline asked for.
 *
 * - POST /v1/Accounts/:sid/Messages answers 200 with { sid }: jambonz says
 *   200 on success where @jambonz/node-client expects 201.
 * - POST /v1/Accounts/:sid/Calls answers 201 with { sid }.
 * - PUT /v1/Accounts/:sid/Calls/:callSid answers 202.
 * Anything else is a 404; a wrong key a 401, as jambonz answers them.
 */

export interface ApiRequest {
  method: string;
  /** The path under /v1/Accounts/:sid/, e.g. `Messages` or `Calls/abc`. */
  resource: string;
  accountSid: string;
  body: Record<string, unknown>;
  /** The sid the stand-in answered with, for creations. */
  sid?: string;
}

export interface StandInOptions {
  apiKey?: string;
  /**
   * Runs after a request is recorded and before it is answered; a test
   * returns a status to fail it (e.g. 503), or undefined to answer as
   * jambonz does.
   */
  intercept?: (request: ApiRequest) => number | undefined;
}

export class JambonzApiStandIn {
  readonly requests: ApiRequest[] = [];
  readonly apiKey: string;
  readonly accountSid = `acct-${randomUUID()}`;
  /**
   * What a created message is answered with: 200 as jambonz does, or the
   * 201 @jambonz/node-client expects (a jambonz that fixed its status).
   */
  messageStatus: 200 | 201 = 200;
  private intercept: StandInOptions['intercept'];
  private holding = false;
  private readonly held: (() => void)[] = [];
  private readonly waiters: {
    match: (request: ApiRequest) => boolean;
    resolve: (request: ApiRequest) => void;
  }[] = [];

  private constructor(
    private readonly server: http.Server,
    options: StandInOptions,
  ) {
    this.apiKey = options.apiKey ?? `key-${randomUUID()}`;
    this.intercept = options.intercept;
  }

  static async start(options: StandInOptions = {}): Promise<JambonzApiStandIn> {
    const server = http.createServer();
    const standIn = new JambonzApiStandIn(server, options);
    server.on('request', (req, res) => {
      standIn.handle(req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return standIn;
  }

  /** The JAMBONZ_API_BASE_URL for bridgeline. */
  get baseUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Settings that point bridgeline at this stand-in. */
  get env(): Record<string, string> {
    return {
      JAMBONZ_API_BASE_URL: this.baseUrl,
      JAMBONZ_ACCOUNT_SID: this.accountSid,
      JAMBONZ_API_KEY: this.apiKey,
    };
  }

  /** Calls POSTs get no answer until `releaseCalls`. */
  holdCalls(): void {
    this.holding = true;
  }

  releaseCalls(): void {
    this.holding = false;
    for (const release of this.held.splice(0)) {
      release();
    }
  }

  setIntercept(intercept: StandInOptions['intercept']): void {
    this.intercept = intercept;
  }

  /** What bridgeline asked to create of one kind: `Messages` or `Calls`. */
  created(resource: 'Messages' | 'Calls'): ApiRequest[] {
    return this.requests.filter(
      (request) => request.method === 'POST' && request.resource === resource,
    );
  }

  /** Resolves with the first request, past or future, that matches. */
  next(match: (request: ApiRequest) => boolean): Promise<ApiRequest> {
    const seen = this.requests.find(match);
    if (seen) {
      return Promise.resolve(seen);
    }
    return new Promise((resolve) => {
      this.waiters.push({ match, resolve });
    });
  }

  async close(): Promise<void> {
    this.releaseCalls();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private async handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const reply = (status: number, body?: unknown) => {
      res.statusCode = status;
      if (body !== undefined) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(body));
      } else {
        res.end();
      }
    };

    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      reply(401, { msg: 'Unauthorized' });
      return;
    }
    const match = /^\/v1\/Accounts\/([^/]+)\/(.+?)\/?$/.exec(req.url ?? '');
    if (!match?.[1] || !match[2]) {
      reply(404, { msg: 'Not Found' });
      return;
    }
    let body: Record<string, unknown> = {};
    if (chunks.length > 0) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<
          string,
          unknown
        >;
      } catch {
        reply(400, { msg: 'invalid JSON' });
        return;
      }
    }

    const request: ApiRequest = {
      method: req.method ?? 'GET',
      resource: match[2],
      accountSid: match[1],
      body,
    };
    const known = answerFor(request, this.messageStatus);
    if (known.status === 404 || request.accountSid !== this.accountSid) {
      reply(404, { msg: 'Not Found' });
      return;
    }
    if (known.sid !== undefined) {
      request.sid = known.sid;
    }
    this.record(request);
    if (this.holding && request.resource === 'Calls') {
      // Held open, as a slow jambonz would: the test decides when (or
      // whether, if it kills the caller first) the answer goes.
      await new Promise<void>((release) => {
        this.held.push(release);
        res.on('close', release);
      });
    }
    const failure = this.intercept?.(request);
    if (failure !== undefined) {
      reply(failure, { msg: 'failed by the test' });
      return;
    }
    reply(
      known.status,
      known.sid === undefined ? undefined : { sid: known.sid },
    );
  }

  private record(request: ApiRequest): void {
    this.requests.push(request);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(request)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(request);
      }
    }
  }
}

function answerFor(
  request: ApiRequest,
  messageStatus: number,
): { status: number; sid?: string } {
  const { method, resource } = request;
  if (method === 'POST' && resource === 'Messages') {
    return { status: messageStatus, sid: randomUUID() };
  }
  if (method === 'POST' && resource === 'Calls') {
    return { status: 201, sid: randomUUID() };
  }
  if (method === 'PUT' && /^Calls\/[^/]+$/.test(resource)) {
    return { status: 202 };
  }
  return { status: 404 };
}

export type CallOutcome = 'answered' | 'no-answer' | 'busy' | 'failed';

/**
 * Plays jambonz for a call bridgeline asked the stand-in to place: on
 * `answered`, the call hook (whose verbs are returned) and then the
 * status hook with `completed`; otherwise only the final status. Each is
 * signed and carries the call's tag as `customerData`, as jambonz does.
 */
export async function playCall(
  base: string,
  created: ApiRequest,
  outcome: CallOutcome,
  secret: string | undefined,
  durationSeconds = 90,
): Promise<WebhookReply | undefined> {
  const to = created.body.to as { number?: string } | undefined;
  const common = {
    call_sid: created.sid,
    direction: 'outbound',
    from: created.body.from,
    to: to?.number ?? '',
    account_sid: created.accountSid,
    customerData: created.body.tag,
  };
  const options = secret === undefined ? {} : { secret };
  let reply: WebhookReply | undefined;
  if (outcome === 'answered') {
    reply = await postWebhook(
      base,
      '/jambonz/call',
      { ...common, call_status: 'in-progress', sip_status: 200 },
      options,
    );
  }
  await postWebhook(
    base,
    '/jambonz/status',
    {
      ...common,
      call_status: outcome === 'answered' ? 'completed' : outcome,
      sip_status: outcome === 'busy' ? 486 : outcome === 'answered' ? 200 : 480,
      duration: outcome === 'answered' ? durationSeconds : 0,
    },
    options,
  );
  return reply;
}
