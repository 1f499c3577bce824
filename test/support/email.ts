import { randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';

/**
 * Mail for the email tests and the bench: a sending MTA (nodemailer over
 * a real socket to bridgeline's listener), raw MIME factories, and a
 * local smtp-server standing in for the outside relay SMTP_URL names.
 */

export type Delivery =
  | { status: 'accepted'; response: string }
  | { status: 'refused'; code: number; response: string };

export interface RawMail {
  from: string;
  to: string;
  /** The whole message as it goes on the wire (RFC 5322). */
  raw: string | Buffer;
}

/** One SMTP client; `pool` keeps connections open for many messages. */
export function smtpClient(port: number, pool = false) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    pool,
    maxConnections: 1,
    maxMessages: Infinity,
  });
}

type Client = ReturnType<typeof smtpClient>;

/** Delivers over SMTP; a refusal is a result, not a throw. */
export async function deliver(
  port: number | Client,
  mail: RawMail,
): Promise<Delivery> {
  const client = typeof port === 'number' ? smtpClient(port) : port;
  try {
    const info = (await client.sendMail({
      envelope: { from: mail.from, to: [mail.to] },
      raw: mail.raw,
    })) as { response: string };
    return { status: 'accepted', response: info.response };
  } catch (err) {
    const { responseCode, response } = err as {
      responseCode?: number;
      response?: string;
    };
    if (responseCode === undefined) {
      throw err;
    }
    return { status: 'refused', code: responseCode, response: response ?? '' };
  } finally {
    if (typeof port === 'number') {
      client.close();
    }
  }
}

export function aMessageId(): string {
  return `<${randomBytes(9).toString('base64url')}@mail.example.com>`;
}

export interface MailParts {
  from: string;
  to?: string;
  subject?: string;
  text?: string;
  messageId?: string;
  headers?: Record<string, string>;
}

/** A plain-text message in UTF-8, with a fresh Message-ID. */
export function aMail(parts: MailParts): RawMail & { messageId: string } {
  const to = parts.to ?? 'support@bridgeline.localhost';
  const messageId = parts.messageId ?? aMessageId();
  const extra = Object.entries(parts.headers ?? {}).map(
    ([name, value]) => `${name}: ${value}`,
  );
  const raw = [
    `From: Customer <${parts.from}>`,
    `To: ${to}`,
    `Subject: ${parts.subject ?? 'My order'}`,
    `Message-ID: ${messageId}`,
    'Date: Thu, 3 Dec 2026 10:00:00 +0000',
    ...extra,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    parts.text ?? 'Where is my parcel?',
    '',
  ].join('\r\n');
  return { from: parts.from, to, raw, messageId };
}

export interface RelayedMessage {
  from: string;
  to: string[];
  raw: string;
}

/** A local SMTP server standing in for the relay at SMTP_URL. */
export class RelayStandIn {
  readonly received: RelayedMessage[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(): Promise<RelayStandIn> {
    // Set once the server listens; no message can arrive before.
    const holder: { stand?: RelayStandIn } = {};
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          holder.stand?.take({
            from: session.envelope.mailFrom
              ? session.envelope.mailFrom.address
              : '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.server.address() as AddressInfo;
    const stand = new RelayStandIn(server, port);
    holder.stand = stand;
    return stand;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The first message to `to`, once it has arrived. */
  async next(to: string, deadlineMs = 5000): Promise<RelayedMessage> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      const found = this.received.find((message) => message.to.includes(to));
      if (found) {
        return found;
      }
      if (Date.now() > end) {
        throw new Error(`no message to ${to} reached the relay`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, end - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  private take(message: RelayedMessage): void {
    this.received.push(message);
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) {
      wake();
    }
  }
}

/**
 * An SMTP dialogue by hand, line by line, for what a client library will
 * not send (a DATA larger than the SIZE the server announced). Returns
 * each reply of the server, the greeting first.
 */
export async function smtpDialogue(
  port: number,
  steps: (string | Buffer)[],
): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  const replies: string[] = [];
  let buffered = '';
  let wake: () => void = () => undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    // A reply ends with a line whose code is followed by a space.
    const done = /(^|\r\n)\d{3} [^\r\n]*\r\n$/.exec(buffered);
    if (done) {
      replies.push(buffered.trimEnd());
      buffered = '';
      wake();
    }
  });
  const nextReply = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (replies.length >= count) {
          resolve();
        }
      };
      wake = check;
      socket.once('error', reject);
      socket.once('close', () => {
        check();
        reject(new Error(`the server closed after ${replies.length} replies`));
      });
      check();
    });
  try {
    await nextReply(1);
    for (const step of steps) {
      socket.write(step);
      await nextReply(replies.length + 1);
    }
  } finally {
    socket.destroy();
  }
  return replies;
}
