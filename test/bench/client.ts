import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { forkLoadGenerator } from './fork';
import type { LatencySummary } from './load';

/**
 * The webhook phases' load generator, seen from the bench: a child process
 * (loadgen.ts) driven over IPC, one command at a time.
 *
 * A process of its own rather than a worker thread or the bench's event
 * loop: the server under test is one Node thread, and a client beside it
 * would take turns on its loop, or share its process's CPU time, so the
 * latencies and the server's CPU figure would include the client's work.
 * As its own process, on loopback sockets, it stands where jambonz stands,
 * and /proc tells its CPU from the server's.
 */

export interface PhaseSpec {
  /** http://host:port of the server under test. */
  origin: string;
  path: string;
  /** `call`: the greeting and menu of the main flow; `verbs`: any verbs. */
  check: 'call' | 'verbs';
  /**
   * `full`: each connection sends its next request once the last is
   * answered. `fixed`: requests start on a schedule whatever the server
   * does, and are timed from their scheduled start.
   */
  load:
    | { kind: 'full'; connections: number }
    | { kind: 'fixed'; rate: number; connections: number };
  warmupMs: number;
  phaseMs: number;
  /**
   * Whether each request the phase measures must be a new call: the
   * webhook's must; the bare route's are sent again in turn.
   */
  unique: boolean;
}

export interface PhaseOutcome {
  latency: LatencySummary;
  elapsedMs: number;
  errors: number;
  firstError?: string;
  /** CPU the client used while measuring, in milliseconds. */
  clientCpuMs: number;
  /** Requests of a `unique` phase sent again: the signed ones ran out. */
  reused: number;
}

export type ClientCommand =
  | { kind: 'init'; secret: string; customers: number }
  | { kind: 'prepare'; spec: PhaseSpec }
  | { kind: 'run' };

export type ClientReply =
  | { kind: 'ready' }
  | { kind: 'result'; outcome: PhaseOutcome }
  | { kind: 'failed'; message: string };

export class LoadClient {
  private constructor(
    private readonly child: ChildProcess,
    private readonly signal: AbortSignal,
  ) {}

  /** Forks the load generator (see fork.ts). */
  static async start(
    secret: string,
    customers: number,
    signal: AbortSignal,
  ): Promise<LoadClient> {
    const child = forkLoadGenerator(path.join(__dirname, 'loadgen.ts'));
    const client = new LoadClient(child, signal);
    await client.ask({ kind: 'init', secret, customers });
    return client;
  }

  /** Warms up and signs the phase's requests; nothing is measured yet. */
  async prepare(spec: PhaseSpec): Promise<void> {
    await this.ask({ kind: 'prepare', spec });
  }

  async run(): Promise<PhaseOutcome> {
    const reply = await this.ask({ kind: 'run' });
    if (reply.kind !== 'result') {
      throw new Error(`the load generator answered ${reply.kind} to run`);
    }
    return reply.outcome;
  }

  close(): void {
    this.child.kill();
  }

  private ask(command: ClientCommand): Promise<ClientReply> {
    const { child, signal } = this;
    return new Promise<ClientReply>((resolve, reject) => {
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
        const reply = message as ClientReply;
        if (reply.kind === 'failed') {
          reject(new Error(`load generator: ${reply.message}`));
        } else {
          resolve(reply);
        }
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(
          new Error(`the load generator exited with code ${String(code)}`),
        );
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
