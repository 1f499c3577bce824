import path from 'node:path';
import { Pool } from 'undici';
import type { Logger } from '../../src/log';
import {
  FrameSocket,
  aMessageId,
  anAgentStream,
  aVisitor,
  type Frame,
} from '../support/chat-client';
import type { AppStart } from './app-server';
import type { BenchTarget } from './digital';
import { fixedRate, forEachLimited, LatencyLog, round } from './load';
import { probe } from './observe';
import { emit, outcomeLine } from './report';
import { ServerChild } from './server-child';

/**
 * 2,000 chat visitors on WebSockets at once, against bridgeline in a
 * child process. Each visitor writes in turn at a fixed overall rate; an
 * agent API consumer (GET /api/chats/stream) receives every message, and
 * the time from the visitor's send to its arrival there is the delivery
 * latency. Every tenth message is answered through the agent API, and the
 * reply's time to reach the visitor is reported on a line of its own.
 */

const plan = {
  visitors: 2_000,
  /** Messages per second from all visitors together. */
  rate: 1_000,
  warmupMs: 5_000,
  phaseMs: 20_000,
  replyEvery: 10,
  p99TargetMs: 50,
  timeoutMs: 10_000,
};
const adminToken = 'bench-admin-token-0123456789abcdef';

export async function measureChat(
  target: BenchTarget,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const server = new ServerChild<AppStart>(
    path.join(__dirname, 'app-server.ts'),
    'bridgeline',
    signal,
  );
  const open: FrameSocket[] = [];
  try {
    const port = await server.start({
      env: {
        PORT: '0',
        HOST: '127.0.0.1',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: '0',
        REDIS_URL: target.redisUrl,
        ADMIN_TOKEN: adminToken,
        DATA_DIR: path.join(target.dataDir, 'chat'),
        CHAT_MESSAGES_PER_MINUTE: '10000',
        LOG_LEVEL: 'warn',
      },
    });
    const base = `http://127.0.0.1:${port}`;
    const agents = await anAgentStream(base, adminToken);
    open.push(agents);
    const visitors: FrameSocket[] = [];
    await forEachLimited(
      plan.visitors,
      50,
      async () => {
        const { socket } = await aVisitor(base);
        visitors.push(socket);
        open.push(socket);
      },
      signal,
    );
    logger.info({ visitors: visitors.length }, 'chat visitors connected');

    const run = new ChatRun(base, agents, visitors);
    // Each visitor's first message opens their conversation: warm-up.
    await fixedRate(
      (i) => run.send(i),
      plan.visitors / (plan.warmupMs / 1000),
      plan.warmupMs,
      signal,
    );
    run.resetReplies();
    const phase = await probe(target.redis, target.redisPid);
    const serverCpuStart = (await server.usage()).cpuMs;
    const nodeStart = process.cpuUsage();
    const outcome = await fixedRate(
      (i) => run.send(i),
      plan.rate,
      plan.phaseMs,
      signal,
    );
    await run.repliesDone();
    const wallMs = outcome.elapsedMs;
    const node = process.cpuUsage(nodeStart);
    const serverCpuMs = (await server.usage()).cpuMs - serverCpuStart;
    const cpu = {
      bridgeline: round(serverCpuMs / wallMs, 2),
      bench: round((node.user + node.system) / 1000 / wallMs, 2),
      redis: (await phase.cpu()).redis,
    };
    const line = await outcomeLine(
      'chat_delivery_visitor_to_agent',
      { ...outcome, latency: outcome.latencies.summary() },
      cpu,
      phase,
    );
    emit({
      ...line,
      visitors: visitors.length,
      offered_rate: plan.rate,
      target: `p99 <= ${plan.p99TargetMs} ms`,
      meets_target: line.p99_ms <= plan.p99TargetMs && line.errors === 0,
    });
    const replies = run.replies.summary();
    emit({
      name: 'chat_delivery_agent_reply_to_visitor',
      ops_per_s: Math.round(replies.count / (wallMs / 1000)),
      ...replies,
      errors: run.replyErrors,
      target: `p99 <= ${plan.p99TargetMs} ms`,
      meets_target: replies.p99_ms <= plan.p99TargetMs && run.replyErrors === 0,
    });
  } finally {
    for (const socket of open) {
      socket.close();
    }
    await server.stop();
  }
}

/** Sends visitor messages and times them to the agent consumer. */
class ChatRun {
  replies = new LatencyLog();
  replyErrors = 0;
  private readonly waiting = new Map<string, (frame: Frame) => void>();
  private readonly pool: Pool;
  private readonly inFlightReplies = new Set<Promise<void>>();

  constructor(
    base: string,
    agents: FrameSocket,
    private readonly visitors: FrameSocket[],
  ) {
    this.pool = new Pool(base, { connections: 16 });
    agents.socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as Frame;
      this.waiting.get(String(frame.id))?.(frame);
    });
    agents.frames.length = 0;
  }

  send(index: number): Promise<void> {
    const visitor = this.visitors[index % this.visitors.length];
    if (!visitor) {
      return Promise.reject(new Error('no visitor'));
    }
    const id = aMessageId();
    const delivered = new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`message ${id} not delivered in time`));
      }, plan.timeoutMs);
      this.waiting.set(id, (frame) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(frame);
      });
    });
    visitor.send({ type: 'message', id, text: `bench message ${index}` });
    // The agent stream tells the customer and conversation: reply to some.
    return delivered.then((seen) => {
      if (index % plan.replyEvery === 0) {
        this.track(this.reply(visitor, seen, index));
      }
    });
  }

  resetReplies(): void {
    this.replies = new LatencyLog();
    this.replyErrors = 0;
  }

  async repliesDone(): Promise<void> {
    await Promise.all([...this.inFlightReplies]);
    await this.pool.close();
  }

  private track(work: Promise<void>): void {
    this.inFlightReplies.add(work);
    void work.finally(() => this.inFlightReplies.delete(work));
  }

  private async reply(
    visitor: FrameSocket,
    seen: Frame,
    index: number,
  ): Promise<void> {
    try {
      const text = `bench reply ${index}`;
      const from = visitor.frames.length;
      const started = performance.now();
      const response = await this.pool.request({
        path: `/api/chats/${String(seen.customerId)}/${String(seen.conversationId)}/messages`,
        method: 'POST',
        headers: {
          authorization: `Bearer ${adminToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ text }),
      });
      await response.body.dump();
      if (response.statusCode !== 200) {
        throw new Error(`reply answered ${response.statusCode}`);
      }
      await visitor.next((frame) => frame.text === text, from, plan.timeoutMs);
      this.replies.record(performance.now() - started);
    } catch {
      this.replyErrors += 1;
    }
  }
}
