import { fork, type ChildProcess } from 'node:child_process';
import { watchGc, type GcPauses } from './observe';
import { profilePhase, type PhaseProfile } from './profile';

/**
 * A server under test in a process of its own, as it runs in production:
 * the load it serves and the load the bench makes do not share an event
 * loop, and the bench's seeded data and figures do not lengthen the
 * server's garbage collections. Driven over IPC with a start command,
 * usage readings, a phase's CPU profile (profile.ts) and a stop; the child
 * answers each command with one reply, and `failed` carries what went
 * wrong.
 */

export type ServerCommand<Start extends object> =
  | ({ kind: 'start' } & Start)
  | { kind: 'usage' }
  | { kind: 'profile'; phase: string }
  | { kind: 'profiled' }
  | { kind: 'stop' };

export type ServerReply =
  | { kind: 'started'; port: number }
  | { kind: 'usage'; usage: ServerUsage }
  | { kind: 'done' }
  | { kind: 'failed'; message: string };

export interface ServerUsage {
  /** CPU time the child has used since it began, ms. */
  cpuMs: number;
  /** The child's GC pauses since its previous reading. */
  gc: GcPauses;
}

export class ServerChild<Start extends object> {
  private readonly child: ChildProcess;

  /** `name` says which server a failure came from. */
  constructor(
    file: string,
    private readonly name: string,
    private readonly signal: AbortSignal,
  ) {
    this.child = fork(file, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  }

  /** The port the server bound. */
  async start(params: Start): Promise<number> {
    const reply = await this.ask({ kind: 'start', ...params });
    if (reply.kind !== 'started') {
      throw new Error(`${this.name} answered ${reply.kind} to start`);
    }
    return reply.port;
  }

  async usage(): Promise<ServerUsage> {
    const reply = await this.ask({ kind: 'usage' });
    if (reply.kind !== 'usage') {
      throw new Error(`${this.name} answered ${reply.kind} to usage`);
    }
    return reply.usage;
  }

  /** Profiles the child through one phase, when the bench is asked to. */
  async profilePhase(phase: string): Promise<PhaseProfile> {
    await this.ask({ kind: 'profile', phase });
    return {
      stop: async () => {
        await this.ask({ kind: 'profiled' });
      },
    };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ kind: 'stop' } satisfies ServerCommand<Start>);
    const timer = setTimeout(() => this.child.kill(), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private ask(command: ServerCommand<Start>): Promise<ServerReply> {
    const { child, signal, name } = this;
    return new Promise((resolve, reject) => {
      signal.throwIfAborted();
      const onMessage = (reply: ServerReply) => {
        child.off('exit', onExit);
        if (reply.kind === 'failed') {
          reject(new Error(`${name}: ${reply.message}`));
        } else {
          resolve(reply);
        }
      };
      const onExit = (code: number | null) => {
        child.off('message', onMessage);
        reject(new Error(`${name} exited with code ${String(code)}`));
      };
      child.once('message', onMessage);
      child.once('exit', onExit);
      child.send(command);
    });
  }
}

/** What a child's start makes. */
export interface Served {
  /**
   * Where its load reaches it: the port it listens on, or for a drachtio
   * application the drachtio-server port it connected to.
   */
  port: number;
  close(): Promise<void>;
}

/** In the child: answers the bench's commands for the server `start` makes. */
// Start types the commands the child is sent, which arrive untyped over IPC.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function serveAsChild<Start extends object>(
  start: (params: Start) => Promise<Served>,
): void {
  const gc = watchGc();
  let served: Served | undefined;
  let profile: PhaseProfile | undefined;
  const reply = (message: ServerReply) => process.send?.(message);
  const handle = async (command: ServerCommand<Start>) => {
    if (command.kind === 'start') {
      served = await start(command);
      reply({ kind: 'started', port: served.port });
    } else if (command.kind === 'usage') {
      const used = process.cpuUsage();
      const cpuMs = (used.user + used.system) / 1000;
      reply({ kind: 'usage', usage: { cpuMs, gc: gc.take() } });
    } else if (command.kind === 'profile') {
      profile = await profilePhase(command.phase);
      reply({ kind: 'done' });
    } else if (command.kind === 'profiled') {
      await profile?.stop();
      profile = undefined;
      reply({ kind: 'done' });
    } else {
      await served?.close();
      process.exit(0);
    }
  };
  process.on('message', (command: ServerCommand<Start>) => {
    void handle(command).catch((err: unknown) => {
      reply({ kind: 'failed', message: String(err) });
    });
  });
}
