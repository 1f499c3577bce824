import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../log';

/**
 * A redis-server child process for a single-machine install: bound to
 * loopback on a free port, its data and log in DATA_DIR, durable to the last
 * second (AOF, fsync every second) and never evicting, since bridgeline keeps
 * customers' history in it and must not silently drop any.
 */
export interface EmbeddedRedisOptions {
  dataDir: string;
  serverBin?: string;
  logger: Logger;
  /** Loading a large AOF takes a while; PING answers LOADING until done. */
  startTimeoutMs?: number;
  /** More redis-server options, e.g. `--cluster-enabled yes`. */
  extraArgs?: string[];
}

export class EmbeddedRedisError extends Error {
  override name = 'EmbeddedRedisError';
}

export class EmbeddedRedis {
  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly child: ChildProcess,
    private readonly logger: Logger,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get logFile(): string {
    return path.join(this.dataDir, 'redis.log');
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  static async start(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
    const dataDir = path.resolve(options.dataDir);
    const serverBin = options.serverBin ?? 'redis-server';
    await fs.mkdir(dataDir, { recursive: true });
    const pidFile = path.join(dataDir, 'redis.pid');
    await stopLeftover(pidFile, options.logger);

    const port = await freeLoopbackPort();
    // prettier-ignore
    const args = [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--protected-mode', 'yes',
      '--dir', dataDir,
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--maxmemory-policy', 'noeviction',
      '--save', '',
      '--daemonize', 'no',
      '--pidfile', pidFile,
      '--logfile', path.join(dataDir, 'redis.log'),
      ...(options.extraArgs ?? []),
    ];
    const child = spawn(serverBin, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // once() rejects with the 'error' event, which spawn emits on ENOENT.
    const spawned = await once(child, 'spawn').then(
      () => undefined,
      (err: unknown) => err as NodeJS.ErrnoException,
    );
    if (spawned) {
      throw new EmbeddedRedisError(
        spawned.code === 'ENOENT'
          ? `${serverBin} was not found; run "npm run setup" to install ` +
              'redis-server, set REDIS_SERVER_BIN, or point REDIS_URL at a server'
          : `could not start ${serverBin}: ${spawned.message}`,
      );
    }

    const redis = new EmbeddedRedis(port, dataDir, child, options.logger);
    await redis.waitUntilReady(options.startTimeoutMs ?? 60_000);
    options.logger.info(
      { port, dataDir, logFile: redis.logFile, pid: child.pid },
      'embedded redis-server started',
    );
    child.on('exit', (code, signal) => {
      options.logger.info({ code, signal }, 'embedded redis-server exited');
    });
    return redis;
  }

  /** SIGTERM lets Redis flush and fsync its AOF; SIGKILL only past the grace. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) {
      return;
    }
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let stderr = '';
    this.child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    const exited = once(this.child, 'exit');

    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      const state = await Promise.race([
        ping(this.port),
        exited.then(() => 'exited' as const),
      ]);
      if (state === 'PONG') {
        return;
      }
      if (state === 'exited') {
        const tail = await this.logTail();
        throw new EmbeddedRedisError(
          `redis-server exited while starting (see ${this.logFile}):\n` +
            `${stderr}${tail}`,
        );
      }
      if (Date.now() > deadline) {
        this.child.kill('SIGKILL');
        throw new EmbeddedRedisError(
          `redis-server did not answer within ${timeoutMs} ms ` +
            `(last reply: ${state}); see ${this.logFile}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private async logTail(): Promise<string> {
    try {
      const text = await fs.readFile(this.logFile, 'utf8');
      return text.split('\n').slice(-15).join('\n');
    } catch {
      return '';
    }
  }
}

/**
 * A redis-server left running by a bridgeline that was killed outright still
 * owns the AOF in this folder. Two servers appending to one file corrupt it,
 * so the leftover is asked to shut down (which flushes it) before we start.
 */
async function stopLeftover(pidFile: string, logger: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number((await fs.readFile(pidFile, 'utf8')).trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !(await isRedisServer(pid))) {
    await fs.rm(pidFile, { force: true });
    return;
  }
  logger.warn({ pid }, 'stopping a redis-server left running on DATA_DIR');
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  for (let delay = 5; isAlive(pid); delay = Math.min(delay * 2, 200)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

async function isRedisServer(pid: number): Promise<boolean> {
  try {
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('redis-server');
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') {
    throw new EmbeddedRedisError('could not find a free loopback port');
  }
  return address.port;
}

/** One inline PING; resolves to the first reply line or the error met. */
function ping(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const finish = (result: string) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1000, () => {
      finish('timeout');
    });
    socket.on('connect', () => {
      socket.write('PING\r\n');
    });
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        finish(reply.slice(0, end).replace(/^[+-]/, ''));
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      finish(err.code ?? 'error');
    });
  });
}
