import { fork, type ChildProcess } from 'node:child_process';

/**
 * Forks one of the bench's load generators, driven over IPC, with this
 * process's flags (tsx's loader) but not its heap tuning: the larger young
 * generation `npm start` and `npm run bench` give a server made the
 * generators' own scavenges several times longer, and a generator's pause
 * delays every request it has in flight as if the server were late.
 */
export function forkLoadGenerator(file: string): ChildProcess {
  const execArgv = process.execArgv.filter(
    (flag) => !flag.startsWith('--max-semi-space-size'),
  );
  return fork(file, {
    execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
}
