import fs from 'node:fs/promises';
import path from 'node:path';
import { setUpEmail } from '../../src/channels/email';
import { Journeys } from '../../src/channels/journeys';
import { loadConfig } from '../../src/config';
import { ContextStore } from '../../src/context/store';
import type { Logger } from '../../src/log';
import { aMail, deliver, smtpClient } from '../support/email';
import type { BenchTarget } from './digital';
import { LatencyLog, type RunResult } from './load';
import { probe } from './observe';
import { emit, summarize } from './report';

/**
 * Inbound email: 2,000 messages over a few SMTP connections kept open, as
 * a relay delivering a queue would, to the listener on loopback. Each
 * message's latency runs from MAIL FROM to our 250, which bridgeline only
 * sends once the message is parsed and on the timeline; a fifth of them
 * are replies (In-Reply-To) from senders seen before. The listener runs in
 * the bench's own process, so the SMTP clients share its cores.
 */

const plan = {
  messages: 2_000,
  warmup: 200,
  connections: 8,
  senders: 400,
  targetPerSecond: 100,
};

export async function measureEmail(
  target: BenchTarget,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const dataDir = path.join(target.dataDir, 'email');
  await fs.mkdir(dataDir, { recursive: true });
  const config = loadConfig({
    REDIS_URL: target.redisUrl,
    DATA_DIR: dataDir,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: '0',
    SMTP_MESSAGES_PER_MINUTE: '100000',
  });
  const store = new ContextStore(target.redis, {
    phoneDefaultRegion: 'US',
    timelineMaxAgeMs: 365 * 24 * 60 * 60 * 1000,
    card: { events: 20, conversations: 10 },
  });
  const email = setUpEmail({
    config,
    store,
    redis: target.redis,
    journeys: new Journeys(store),
    logger: logger.child({ phase: 'email' }, { level: 'warn' }),
    callbacks: () => undefined,
    now: () => new Date(),
  });
  await email.start();
  const port = email.smtpPort() ?? 0;
  const clients = Array.from({ length: plan.connections }, () =>
    smtpClient(port, true),
  );
  try {
    const run = new EmailRun(clients);
    await run.send(plan.warmup, signal);
    logger.info({ messages: plan.warmup }, 'email warm-up sent');

    const phase = await probe(target.redis, target.redisPid);
    const result = await run.send(plan.messages, signal);
    const line = await summarize('email_inbound', result, phase);
    emit({
      ...line,
      messages: plan.messages,
      connections: plan.connections,
      senders: plan.senders,
      via: 'SMTP on loopback: MAIL FROM to 250, parsed and stored',
      target: `ops_per_s >= ${plan.targetPerSecond}`,
      meets_target:
        line.ops_per_s >= plan.targetPerSecond && result.errors === 0,
    });
  } finally {
    for (const client of clients) {
      client.close();
    }
    await email.close();
  }
}

/** Sends messages over the pooled clients, one in flight on each. */
class EmailRun {
  private sent = 0;
  /** The last Message-ID each sender sent, for their replies. */
  private readonly lastIds = new Map<number, string>();

  constructor(private readonly clients: ReturnType<typeof smtpClient>[]) {}

  async send(count: number, signal: AbortSignal): Promise<RunResult> {
    const latencies = new LatencyLog();
    let errors = 0;
    let firstError: string | undefined;
    let left = count;
    const start = performance.now();
    const worker = async (client: ReturnType<typeof smtpClient>) => {
      while (left > 0) {
        signal.throwIfAborted();
        left -= 1;
        const began = performance.now();
        const delivery = await deliver(client, this.next());
        if (delivery.status === 'accepted') {
          latencies.record(performance.now() - began);
        } else {
          errors += 1;
          firstError ??= `${delivery.code} ${delivery.response}`;
        }
      }
    };
    await Promise.all(this.clients.map(worker));
    const elapsedMs = performance.now() - start;
    return { latencies, elapsedMs, errors, firstError };
  }

  private next() {
    const index = this.sent++;
    const sender = index % plan.senders;
    const inReplyTo = this.lastIds.get(sender);
    const isReply = inReplyTo !== undefined && index % 5 === 0;
    const mail = aMail({
      from: `bench-sender-${sender}@mail.example.com`,
      subject: isReply ? 'Re: my order' : `Order question ${index}`,
      text: `Hello, this is message ${index}.\r\n\r\nThanks,\r\nA customer`,
      ...(isReply ? { headers: { 'In-Reply-To': inReplyTo } } : {}),
    });
    this.lastIds.set(sender, mail.messageId);
    return mail;
  }
}
