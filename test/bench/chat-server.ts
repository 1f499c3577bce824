import { startBridgeline, type Bridgeline } from '../../src/app';
import { loadConfig } from '../../src/config';
import { pino } from 'pino';

/**
 * bridgeline for the chat phase, in a process of its own (see client.ts
 * for why): started with the environment the bench sends, it answers with
 * its port, reports its CPU time when asked and stops on `stop`.
 */

export type ChatServerCommand =
  | { kind: 'start'; env: Record<string, string> }
  | { kind: 'cpu' }
  | { kind: 'stop' };

export type ChatServerReply =
  | { kind: 'started'; port: number }
  | { kind: 'cpu'; ms: number }
  | { kind: 'failed'; message: string };

let app: Bridgeline | undefined;

function reply(message: ChatServerReply): void {
  process.send?.(message);
}

process.on('message', (command: ChatServerCommand) => {
  void handle(command).catch((err: unknown) => {
    reply({ kind: 'failed', message: String(err) });
  });
});

async function handle(command: ChatServerCommand): Promise<void> {
  if (command.kind === 'start') {
    app = await startBridgeline(
      loadConfig(command.env),
      pino({ level: 'warn' }, process.stderr),
    );
    reply({ kind: 'started', port: app.port });
  } else if (command.kind === 'cpu') {
    const used = process.cpuUsage();
    reply({ kind: 'cpu', ms: (used.user + used.system) / 1000 });
  } else {
    await app?.close();
    process.exit(0);
  }
}
