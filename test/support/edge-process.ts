import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DrachtioPeer } from './drachtio-peer';
import type { TestRedis } from './redis';
import { tempDir } from './redis';

/**
 * bridgeline as an operator runs it (src/main.ts), in a process of its own,
 * connected to a test peer. Jest catches a test's unhandled rejections and
 * uncaught exceptions itself, so listeners in the test never see them; in
 * a real process, main.ts's close-with-grace does, logs "stopping after an
 * uncaught error" and exits. Watching that process is how the bad-input
 * tests prove nothing crashed and no promise was left rejected.
 */

const root = path.join(__dirname, '..', '..');
const secret = 'edge-process-secret';
export const processIvrUri = 'sip:ivr@jambonz.example.com';

export interface EdgeProcess {
  peer: DrachtioPeer;
  /** Log lines at error level or above, parsed; includes the crash line. */
  readonly errors: Record<string, unknown>[];
  /** Set once the process has exited, with its code or signal. */
  readonly exited: string | undefined;
  /** Log lines that tell of an uncaught error, from close-with-grace. */
  faults(): Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function startEdgeProcess(
  redis: TestRedis,
  env: Record<string, string> = {},
): Promise<EdgeProcess> {
  const peer = await DrachtioPeer.start({ secret });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'src', 'main.ts')],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: '0',
        LOG_LEVEL: 'error',
        REDIS_URL: redis.server.url,
        ADMIN_TOKEN: 'test-admin-token-0123456789',
        DATA_DIR: await tempDir('edge-process'),
        DRACHTIO_HOST: '127.0.0.1',
        DRACHTIO_PORT: String(peer.port),
        DRACHTIO_SECRET: secret,
        SIP_IVR_URI: processIvrUri,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const errors: Record<string, unknown>[] = [];
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = signal ?? String(code);
  });
  watchLog(child.stdout, errors);
  // drachtio-srf prints what it cannot parse with console.error; read all
  // along so the pipe never fills, and kept short for a failed start.
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });

  const up = peer.connected();
  const died = once(child, 'exit').then(() => {
    throw new Error(`bridgeline exited (${exited ?? ''}): ${stderr}`);
  });
  try {
    await Promise.race([up, died]);
  } catch (err) {
    await peer.close();
    throw err;
  }
  died.catch(() => undefined);

  return {
    peer,
    errors,
    get exited() {
      return exited;
    },
    faults: () =>
      errors.filter(
        (line) => typeof line.msg === 'string' && /uncaught/i.test(line.msg),
      ),
    async stop() {
      if (exited === undefined) {
        const gone = once(child, 'exit');
        child.kill('SIGTERM');
        await gone;
      }
      await peer.close();
    },
  };
}

function watchLog(stdout: Readable, errors: Record<string, unknown>[]) {
  let pending = '';
  stdout.setEncoding('utf8');
  stdout.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const parsed: unknown = JSON.parse(line);
        if (typeof parsed === 'object' && parsed !== null) {
          errors.push(parsed as Record<string, unknown>);
        }
      } catch {
        errors.push({ msg: line });
      }
    }
  });
}
