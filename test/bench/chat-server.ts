import { startBridgeline, type Bridgeline } from '../../src/app';
import { loadConfig } from '../../src/config';
import { pino } from 'pino';
import type { ServerCommand, ServerReply } from './server-child';

/**
 * bridgeline for the chat phase, in a process of its own (see client.ts
 * for why): started with the environment the bench sends, it answers with
 * its port, reports its CPU time when asked and stops on `stop`.
 */

export type ChatServerCommand = ServerCommand<{ env: Record<string, string> }>;
export type ChatServerReply = ServerReply;

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
