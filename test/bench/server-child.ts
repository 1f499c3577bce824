import { fork, type ChildProcess } from 'node:child_process';

/**
 * A server under test in a process of its own, so the load it serves and
 * the load the bench makes do not share an event loop; driven over IPC
 * with a start command, a CPU reading and a stop. The child answers each
 * command with one reply; `failed` carries what went wrong.
 */

export type ServerCommand<Start extends object> =
  ({ kind: 'start' } & Start) | { kind: 'cpu' } | { kind: 'stop' };

export type ServerReply =
  | { kind: 'started'; port: number }
  | { kind: 'cpu'; ms: number }
  | { kind: 'failed'; message: string };

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

  /** CPU time the child has used, ms. */
  async cpuMs(): Promise<number> {
    const reply = await this.ask({ kind: 'cpu' });
    return reply.kind === 'cpu' ? reply.ms : NaN;
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
