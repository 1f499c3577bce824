import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

/**
 * A chat visitor and an agent API consumer over real WebSockets, for tests
 * and the bench: frames are collected as they arrive and waited for by
 * what they say, with a deadline, never by sleeping.
 */

export type Frame = Record<string, unknown> & { type: string };

export class FrameSocket {
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    // Every frame bridgeline sends is a text frame: one Buffer.
    socket.on('message', (data: Buffer) => {
      this.frames.push(JSON.parse(data.toString('utf8')) as Frame);
      this.wake();
    });
    socket.on('close', (code: number) => {
      this.closeCode = code;
      this.wake();
    });
  }

  static async open(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<FrameSocket> {
    const socket = new WebSocket(url, { headers });
    // Listening from the start: a first frame may come with the upgrade.
    const framed = new FrameSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => {
        resolve();
      });
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`upgrade refused: ${response.statusCode}`));
      });
    });
    return framed;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame, after `from`, that `match` accepts. */
  async next(
    match: (frame: Frame) => boolean,
    from = 0,
    timeoutMs = 5000,
  ): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) {
        return found;
      }
      if (this.closeCode !== undefined) {
        throw new Error(`socket closed (${this.closeCode}) before the frame`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no matching frame; got ${JSON.stringify(this.frames.slice(from))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async closed(timeoutMs = 5000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (this.closeCode === undefined) {
      throw new Error('socket still open');
    }
    return this.closeCode;
  }

  close(): void {
    this.socket.close();
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) {
      wake();
    }
  }
}

export function aMessageId(): string {
  return `m${randomBytes(9).toString('base64url')}`;
}

export const isType =
  (type: string, extra: (frame: Frame) => boolean = () => true) =>
  (frame: Frame) =>
    frame.type === type && extra(frame);

/** A visitor who said hello and was welcomed. */
export async function aVisitor(
  base: string,
  hello: { token?: string; lastSeq?: number; link?: string } = {},
): Promise<{ socket: FrameSocket; welcome: Frame }> {
  const socket = await FrameSocket.open(
    `${base.replace(/^http/, 'ws')}/chat/ws`,
  );
  socket.send({ type: 'hello', ...hello });
  const welcome = await socket.next(isType('welcome'));
  return { socket, welcome };
}

/** An agent API consumer, subscribed once it returns. */
export async function anAgentStream(
  base: string,
  adminToken: string,
): Promise<FrameSocket> {
  const socket = await FrameSocket.open(
    `${base.replace(/^http/, 'ws')}/api/chats/stream`,
    { authorization: `Bearer ${adminToken}` },
  );
  await socket.next(isType('ready'));
  return socket;
}
