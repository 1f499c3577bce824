import { once } from 'node:events';
import net from 'node:net';
import { startBridgeline, type Bridgeline } from '../../src/app';
import { loadConfig } from '../../src/config';
import { DrachtioPeer, type PeerAnswer } from '../support/drachtio-peer';
import { aCustomer } from '../support/factories';
import {
  silentLogger,
  startTestRedis,
  tempDir,
  type TestRedis,
} from '../support/redis';
import { anInvite } from '../support/sip-messages';

/**
 * What a caller notices when the parts behind the edge falter: a Redis
 * that answers late or not at all must not hold call setup past the
 * lookup budget (RFC 3261 §17.2.1 wants a provisional answer within
 * 200 ms), and a drachtio-server that goes away must be dialled again.
 */

const secret = 'resilience-secret';
const ivrUri = 'sip:ivr@jambonz.example.com';
const budgetMs = 50;
// Two cores shared with other test runs: the margin covers the hops from
// the peer to the app and back, not the lookup.
const marginMs = 100;

/**
 * A TCP proxy in front of redis-server that can hold each reply back, or
 * play dead: every connection cut and new ones refused.
 */
class RedisProxy {
  delayMs = 0;
  private down = false;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    private readonly upstreamPort: number,
  ) {
    server.on('connection', (client) => {
      this.relay(client);
    });
  }

  static async start(upstreamPort: number): Promise<RedisProxy> {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new RedisProxy(server, upstreamPort);
  }

  get url(): string {
    const address = this.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return `redis://127.0.0.1:${port}`;
  }

  goDown(): void {
    this.down = true;
    for (const socket of this.sockets) {
      socket.destroy();
    }
  }

  comeBack(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.goDown();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  private relay(client: net.Socket): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.upstreamPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (this.delayMs === 0) {
        client.write(chunk);
        return;
      }
      // A constant delay keeps the replies in order.
      setTimeout(() => {
        if (!client.destroyed) {
          client.write(chunk);
        }
      }, this.delayMs);
    });
  }
}

let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis();
});

afterAll(async () => {
  await redis.stop();
});

async function startEdge(redisUrl: string, env: Record<string, string> = {}) {
  const peer = await DrachtioPeer.start({ secret });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: '0',
    REDIS_URL: redisUrl,
    ADMIN_TOKEN: 'test-admin-token-0123456789',
    DATA_DIR: await tempDir('sip-resilience'),
    DRACHTIO_HOST: '127.0.0.1',
    DRACHTIO_PORT: String(peer.port),
    DRACHTIO_SECRET: secret,
    SIP_IVR_URI: ivrUri,
    SIP_LOOKUP_BUDGET_MS: String(budgetMs),
    ...env,
  });
  const app = await startBridgeline(config, silentLogger);
  await peer.connected();
  return { app, peer };
}

/** The customer the edge named in its routing, if any. */
function namedCustomer(answer: PeerAnswer): string | undefined {
  if (answer.kind !== 'proxy') {
    throw new Error(`expected the call to be proxied, got ${answer.kind}`);
  }
  expect(answer.proxy.destinations).toEqual([ivrUri]);
  return answer.proxy.headers['x-bridgeline-customer'];
}

async function timedInvite(peer: DrachtioPeer, from: string) {
  const started = performance.now();
  const answer = await peer.send(anInvite({ from }));
  return { answer, elapsedMs: performance.now() - started };
}

describe('when Redis falters during call setup', () => {
  let proxy: RedisProxy;
  let app: Bridgeline;
  let peer: DrachtioPeer;
  let known: { id: string; phone: string };

  beforeAll(async () => {
    proxy = await RedisProxy.start(redis.server.port);
    ({ app, peer } = await startEdge(proxy.url));
    const { customer, phone } = await aCustomer(app.store);
    known = { id: customer.id, phone };
  });

  afterAll(async () => {
    proxy.comeBack();
    proxy.delayMs = 0;
    await app.close();
    await peer.close();
    await proxy.close();
  });

  it('knows the caller while Redis answers promptly', async () => {
    const { answer } = await timedInvite(peer, known.phone);
    expect(namedCustomer(answer)).toBe(known.id);
  });

  it('routes a known caller as unknown within the budget when Redis is slow', async () => {
    proxy.delayMs = 500;
    const { answer, elapsedMs } = await timedInvite(peer, known.phone);
    expect(namedCustomer(answer)).toBeUndefined();
    expect(elapsedMs).toBeLessThan(budgetMs + marginMs);
  });

  it('routes a known caller as unknown within the budget when Redis is down', async () => {
    proxy.delayMs = 0;
    proxy.goDown();
    const { answer, elapsedMs } = await timedInvite(peer, known.phone);
    expect(namedCustomer(answer)).toBeUndefined();
    expect(elapsedMs).toBeLessThan(budgetMs + marginMs);
  });
});

describe('when drachtio-server goes away', () => {
  let app: Bridgeline;
  let peer: DrachtioPeer;

  beforeAll(async () => {
    ({ app, peer } = await startEdge(redis.server.url, {
      DRACHTIO_RECONNECT_MAX_MS: '2000',
    }));
  });

  afterAll(async () => {
    await app.close();
    await peer.close();
  });

  async function sipHealth(): Promise<unknown> {
    const response = await fetch(`http://127.0.0.1:${app.port}/healthz`);
    const body = (await response.json()) as { sip?: unknown };
    return body.sip;
  }

  /** Polls a real state until it holds; no fixed sleep stands in for it. */
  async function until(check: () => Promise<boolean> | boolean) {
    const deadline = performance.now() + 5000;
    while (!(await check())) {
      if (performance.now() > deadline) {
        throw new Error('the state never came');
      }
      await new Promise<void>((resolve) => {
        setTimeout(resolve, 20);
      });
    }
  }

  it('shows connecting, dials again with growing waits, then answers again', async () => {
    expect(await sipHealth()).toBe('connected');

    peer.refuseConnections(true);
    const droppedAt = peer.connectionTimes.length;
    peer.dropConnection();
    await until(async () => (await sipHealth()) === 'connecting');

    // Three refused attempts: the waits between them grow (backoff).
    await until(() => peer.connectionTimes.length >= droppedAt + 3);
    const [first = 0, second = 0, third = 0] =
      peer.connectionTimes.slice(droppedAt);
    expect(third - second).toBeGreaterThanOrEqual(second - first);
    expect(await sipHealth()).toBe('connecting');

    peer.refuseConnections(false);
    await peer.connected();
    await until(async () => (await sipHealth()) === 'connected');
    const answer = await peer.send(anInvite());
    expect(answer.kind).toBe('proxy');
  });
});
