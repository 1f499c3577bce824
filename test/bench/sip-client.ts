import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { forkLoadGenerator } from './fork';
import type { Seeded } from './measure';
import type { Outcome } from './report';

/**
 * The SIP phases' drachtio-server side, seen from the bench: a child
 * process (sip-peer.ts) that runs the test peers and sends the INVITEs,
 * driven over IPC one command at a time. drachtio-server is a process of
 * its own in production; here too, so the edge's thread and CPU figure are
 * the edge's alone (client.ts says the same of the webhook's client).
 */

export type SipTargetName = 'edge' | 'constant';

export interface SipPhaseSpec {
  target: SipTargetName;
  load: { kind: 'full'; concurrency: number } | { kind: 'fixed'; rate: number };
  durationMs: number;
}

export interface SipOutcome extends Outcome {
  /** CPU the peer and its client used while measuring, in milliseconds. */
  clientCpuMs: number;
}

export type SipCommand =
  | { kind: 'init'; secret: string; ivrUri: string; seeded: Seeded }
  | { kind: 'run'; spec: SipPhaseSpec };

export type SipReply =
  | { kind: 'ready'; ports: Record<SipTargetName, number> }
  | { kind: 'result'; outcome: SipOutcome }
  | { kind: 'failed'; message: string };

export class SipLoadClient {
  private constructor(
    private readonly child: ChildProcess,
    private readonly signal: AbortSignal,
  ) {}

  /** Forks the peers (see fork.ts). */
  static async start(
    init: Omit<Extract<SipCommand, { kind: 'init' }>, 'kind'>,
    signal: AbortSignal,
  ): Promise<{ client: SipLoadClient; ports: Record<SipTargetName, number> }> {
    const child = forkLoadGenerator(path.join(__dirname, 'sip-peer.ts'));
    const client = new SipLoadClient(child, signal);
    const reply = await client.ask({ kind: 'init', ...init });
    if (reply.kind !== 'ready') {
      throw new Error(`the SIP peers answered ${reply.kind} to init`);
    }
    return { client, ports: reply.ports };
  }

  async run(spec: SipPhaseSpec): Promise<SipOutcome> {
    const reply = await this.ask({ kind: 'run', spec });
    if (reply.kind !== 'result') {
      throw new Error(`the SIP peers answered ${reply.kind} to run`);
    }
    return reply.outcome;
  }

  close(): void {
    this.child.kill();
  }

  private ask(command: SipCommand): Promise<SipReply> {
    const { child, signal } = this;
    return new Promise<SipReply>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const cleanup = () => {
        child.off('message', onMessage);
        child.off('exit', onExit);
        signal.removeEventListener('abort', onAbort);
      };
      const onMessage = (message: unknown) => {
        cleanup();
        const reply = message as SipReply;
        if (reply.kind === 'failed') {
          reject(new Error(`SIP peers: ${reply.message}`));
        } else {
          resolve(reply);
        }
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`the SIP peers exited with code ${String(code)}`));
      };
      const onAbort = () => {
        cleanup();
        child.kill();
        reject(signal.reason as Error);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      signal.addEventListener('abort', onAbort, { once: true });
      child.send(command);
    });
  }
}
