import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { freeLoopbackPort } from '../../src/redis/embedded';
import { tempDir } from '../support/redis';

/**
 * bridgeline as a new user runs it: its own process, its own embedded
 * redis-server, configured only by the environment.
 */
const root = path.resolve(__dirname, '../..');

interface Running {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  base: string;
  exit: Promise<number | null>;
}

async function start(env: Record<string, string>): Promise<Running> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'src/main.ts')],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  const lines: Record<string, unknown>[] = [];
  const started = new Promise<void>((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry.msg === 'bridgeline started') {
        resolve();
      }
    });
    void exit.then((code) => {
      reject(new Error(`exited with ${String(code)}`));
    });
  });
  await started;
  return { child, lines, base: `http://127.0.0.1:${env.PORT}`, exit };
}

describe('npm start, as a new user runs it', () => {
  it('serves the context card from its own Redis, and keeps it across restarts', async () => {
    const dataDir = await tempDir('start');
    const env = { PORT: String(await freeLoopbackPort()), DATA_DIR: dataDir };
    const first = await start(env);

    const health = await fetch(`${first.base}/healthz`);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      redis: { status: 'up', mode: 'embedded' },
    });

    const token = (
      await fs.readFile(path.join(dataDir, 'admin-token'), 'utf8')
    ).trim();
    const post = (url: string, body: unknown) =>
      fetch(`${first.base}${url}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);

    const customer = await post('/api/customers', {
      name: 'Katherine Johnson',
      identities: [
        { kind: 'phone', value: '+14155550123', verification: 'carrier' },
        { kind: 'email', value: 'katherine@example.com' },
      ],
    });
    const id = String(customer.id);
    await post(`/api/customers/${id}/events`, {
      type: 'chat.message',
      direction: 'inbound',
      text: 'Is my order shipped?',
    });
    await post(`/api/customers/${id}/events`, {
      type: 'email.message',
      direction: 'inbound',
      subject: 'Order 1234',
    });

    // Personal data never reaches an info line of the log.
    const logged = JSON.stringify(first.lines);
    expect(logged).not.toContain('4155550123');
    expect(logged).not.toContain('katherine@');

    const redisPid = first.lines.find(
      (line) => line.msg === 'embedded redis-server started',
    )?.pid as number;
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(() => process.kill(redisPid, 0)).toThrow();

    const second = await start(env);
    try {
      const card = await fetch(
        `${second.base}/api/context?phone=%2B14155550123`,
        { headers: { authorization: `Bearer ${token}` } },
      ).then((r) => r.json() as Promise<Record<string, unknown>>);
      expect(card.timeline).toEqual([
        expect.objectContaining({ channel: 'email' }),
        expect.objectContaining({ channel: 'chat' }),
      ]);
    } finally {
      second.child.kill('SIGTERM');
      await second.exit;
    }
  });

  it('refuses to start on bad settings, naming each of them', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'src/main.ts')],
      {
        cwd: root,
        env: { PATH: process.env.PATH, PORT: 'eighty', LOG_LEVEL: 'loud' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(78);
    expect(stderr).toMatch(/PORT: must be a whole number/);
    expect(stderr).toMatch(/LOG_LEVEL: must be one of/);
  });
});
