import net from 'node:net';
import { once } from 'node:events';
import { bridgelineOnOwnRedis } from '../support/app';
import { aMail, deliver } from '../support/email';

/**
 * The SMTP listener's cap on sessions one address holds open, on an app of
 * its own: sessions other tests leave closing cannot count against it.
 */

const perIp = 2;
const running = bridgelineOnOwnRedis({ SMTP_SESSIONS_PER_IP: String(perIp) });

function smtpPort(): number {
  return running.app.channels.smtpPort() ?? 0;
}

interface Session {
  /** The server's first reply: its greeting, or a refusal. */
  greeting: string;
  /** Sends QUIT and resolves once the connection is closed. */
  quit(): Promise<void>;
  closed: Promise<unknown>;
}

/** A connection that says nothing after the greeting, as an idler does. */
async function openSession(): Promise<Session> {
  const socket = net.connect(smtpPort(), '127.0.0.1');
  const closed = once(socket, 'close');
  let received = '';
  const greeting = await new Promise<string>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      const line = /^(\d{3} [^\r\n]*)\r\n/.exec(received);
      if (line?.[1] !== undefined) {
        resolve(line[1]);
      }
    });
    socket.once('error', reject);
  });
  return {
    greeting,
    closed,
    async quit() {
      socket.end('QUIT\r\n');
      await closed;
    },
  };
}

describe('SMTP sessions per address', () => {
  it('refuses one session past SMTP_SESSIONS_PER_IP with 421, and takes one again when a session ends', async () => {
    const held = [await openSession(), await openSession()];
    expect(held.map((session) => session.greeting.slice(0, 4))).toEqual([
      '220 ',
      '220 ',
    ]);

    const refused = await openSession();
    expect(refused.greeting).toMatch(/^421 .*SMTP_SESSIONS_PER_IP/);
    // The server hangs up on it: no idle socket is kept for the refusal.
    await refused.closed;

    await held[0]?.quit();
    const delivered = await deliver(
      smtpPort(),
      aMail({ from: 'ada@example.com', subject: 'Still there?' }),
    );
    expect(delivered.status).toBe('accepted');
    await held[1]?.quit();
  });
});
