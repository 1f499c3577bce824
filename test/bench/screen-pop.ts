import { Redis } from 'ioredis';
import { pino } from 'pino';
import { ScreenPops } from '../../src/agents/desktop/screen-pop';
import type { Principal } from '../../src/agents/types';
import { ContextStore } from '../../src/context/store';
import type { Logger } from '../../src/log';
import { waitForReady } from '../../src/redis/connect';
import type { FrameSocket } from '../support/chat-client';
import {
  aContact,
  aDesktopSocket,
  anAgent,
  anOffer,
  startDesktopServer,
} from '../support/desktop';
import { aCustomer, storeOptions } from '../support/factories';
import type { BenchTarget } from './digital';
import { fixedRate, forEachLimited, round } from './load';
import { probe } from './observe';
import { emit, outcomeLine } from './report';
import { ServerChild, serveAsChild } from './server-child';

/**
 * Screen-pop latency: 500 agent desktops on WebSockets to a bridgeline in
 * a child process (the instance holding the sockets), routing decisions
 * made here (the instance that took the calls) at a fixed rate. Each is
 * timed from calling deliver, which reads the card and publishes, to the
 * pop's arrival at the agent's socket: the Redis hop between instances is
 * inside the measurement.
 */

const plan = {
  agents: 500,
  customers: 200,
  /** Routing decisions per second, all agents together. */
  rate: 200,
  warmupMs: 2_000,
  phaseMs: 10_000,
  p99TargetMs: 50,
  timeoutMs: 10_000,
};

interface DesktopStart {
  redisUrl: string;
  sessions: [string, Principal][];
}

export async function measureScreenPop(
  target: BenchTarget,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const store = new ContextStore(target.redis, storeOptions);
  const customers: string[] = [];
  for (let i = 0; i < plan.customers; i++) {
    customers.push(await aCallerWithHistory(store, i));
  }
  const agents = Array.from({ length: plan.agents }, () => anAgent());
  const sessions = agents.map((agent, i): [string, Principal] => [
    `bench-session-${i}`,
    agent,
  ]);

  const server = new ServerChild<DesktopStart>(
    __filename,
    'the desktop server',
    signal,
  );
  const open: FrameSocket[] = [];
  try {
    const port = await server.start({ redisUrl: target.redisUrl, sessions });
    const base = `http://127.0.0.1:${port}`;
    const waiting = new Map<string, () => void>();
    await forEachLimited(
      plan.agents,
      50,
      async (i) => {
        const [session] = sessions[i] ?? [''];
        const socket = await aDesktopSocket(base, session);
        socket.socket.on('message', (data: Buffer) => {
          const frame = JSON.parse(data.toString('utf8')) as {
            offer?: { offerId: string };
          };
          if (frame.offer) {
            waiting.get(frame.offer.offerId)?.();
          }
        });
        open.push(socket);
      },
      signal,
    );
    logger.info({ agents: open.length }, 'agent desktops connected');

    const pops = new ScreenPops(store, target.redis);
    const route = (i: number) => {
      const agent = agents[i % agents.length];
      const customerId = customers[i % customers.length];
      if (!agent || customerId === undefined) {
        return Promise.reject(new Error('no agent or customer'));
      }
      const offer = anOffer(agent.accountId, aContact({ customerId }));
      const arrived = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(offer.offerId);
          reject(new Error(`pop ${offer.offerId} not delivered in time`));
        }, plan.timeoutMs);
        waiting.set(offer.offerId, () => {
          clearTimeout(timer);
          waiting.delete(offer.offerId);
          resolve();
        });
      });
      return Promise.all([pops.deliver(offer), arrived]);
    };

    await fixedRate(route, plan.rate / 2, plan.warmupMs, signal);
    const phase = await probe(target.redis, target.redisPid);
    const serverCpuStart = (await server.usage()).cpuMs;
    const nodeStart = process.cpuUsage();
    const outcome = await fixedRate(route, plan.rate, plan.phaseMs, signal);
    const wallMs = outcome.elapsedMs;
    const node = process.cpuUsage(nodeStart);
    const serverCpuMs = (await server.usage()).cpuMs - serverCpuStart;
    const line = await outcomeLine(
      'screen_pop',
      { ...outcome, latency: outcome.latencies.summary() },
      {
        bridgeline_sockets: round(serverCpuMs / wallMs, 2),
        bench_routing: round((node.user + node.system) / 1000 / wallMs, 2),
        redis: (await phase.cpu()).redis,
      },
      phase,
    );
    emit({
      ...line,
      agents: open.length,
      offered_rate: plan.rate,
      target: `p99 <= ${plan.p99TargetMs} ms`,
      meets_target: line.p99_ms <= plan.p99TargetMs && line.errors === 0,
    });
  } finally {
    for (const socket of open) {
      socket.close();
    }
    await server.stop();
  }
}

/** A known caller whose card has a few events on it, like a real pop. */
async function aCallerWithHistory(store: ContextStore, i: number) {
  const { customer } = await aCustomer(store, { name: `Bench Caller ${i}` });
  const conversation = await store.openConversation(customer.id, {
    subject: 'Where is my order',
    channel: 'chat',
  });
  await store.appendEvents(customer.id, [
    {
      type: 'chat.message',
      direction: 'inbound',
      text: 'Hello, my order has not arrived yet.',
      conversationId: conversation.id,
    },
    { type: 'ivr.step', callSid: `CA${i}`, node: 'main-menu', input: '2' },
  ]);
  return customer.id;
}

/** In the child: one desktop instance on the bench's Redis. */
async function serveDesktops({ redisUrl, sessions }: DesktopStart) {
  const redis = new Redis(redisUrl);
  await waitForReady(redis);
  const server = await startDesktopServer(
    new ContextStore(redis, storeOptions),
    { logger: pino({ level: 'warn' }, process.stderr) },
  );
  for (const [token, principal] of sessions) {
    server.auth.sessions.set(token, principal);
  }
  return {
    port: Number(new URL(server.base).port),
    async close() {
      await server.close();
      redis.disconnect();
    },
  };
}

if (require.main === module) {
  serveAsChild(serveDesktops);
}
