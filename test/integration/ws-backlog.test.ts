import { once } from 'node:events';
import net from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { maxBacklogBytes, pushFrame } from '../../src/http/ws-frames';

/**
 * A pushed WebSocket stream (the agent desktop, /api/chats/stream) and a
 * peer that stops reading: the server drops it once its backlog passes
 * maxBacklogBytes, instead of keeping every later frame for it. Real
 * sockets on loopback; the stalled peer is a TCP client that completes the
 * upgrade and then never reads again.
 */

let server: WebSocketServer;
let port: number;
const accepted: WebSocket[] = [];

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket) => {
    accepted.push(socket);
  });
  await once(server, 'listening');
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const socket of accepted) {
    socket.terminate();
  }
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
});

async function serverSide(): Promise<WebSocket> {
  const [socket] = (await once(server, 'connection')) as [WebSocket];
  return socket;
}

/** A client that upgrades by hand and then stops reading. */
async function aStalledPeer(): Promise<net.Socket> {
  const client = net.connect(port, '127.0.0.1');
  await once(client, 'connect');
  client.write(
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n' +
      'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  const [head] = (await once(client, 'data')) as [Buffer];
  expect(head.toString()).toMatch(/^HTTP\/1\.1 101 /);
  client.pause();
  return client;
}

const frame = 'x'.repeat(64 * 1024);
// Far past what the kernel's buffers and the cap can hold together.
const flood = Math.ceil((64 * 1024 * 1024) / frame.length);

describe('pushing to a WebSocket peer', () => {
  it('drops a peer that stopped reading once its backlog passes the cap', async () => {
    const accepting = serverSide();
    const stalled = await aStalledPeer();
    const socket = await accepting;
    const closed = once(socket, 'close');

    let pushed = 0;
    while (pushed < flood && pushFrame(socket, frame) === 'sent') {
      pushed += 1;
    }

    expect(pushed).toBeLessThan(flood);
    // Later frames find it gone, and do not count as another drop.
    expect(pushFrame(socket, frame)).toBe('gone');
    await closed;
    expect(socket.readyState).toBe(WebSocket.CLOSED);
    // And it hears of it, once it reads again.
    const ended = once(stalled, 'close');
    stalled.resume();
    await ended;
  });

  it('keeps a peer that reads, however much it is sent', async () => {
    const accepting = serverSide();
    const reader = new WebSocket(`ws://127.0.0.1:${port}`);
    const socket = await accepting;
    let received = 0;
    reader.on('message', () => {
      received += 1;
    });

    // Pushed as published frames are, from the event loop: between two,
    // the socket writes and the reader reads.
    let pushed = 0;
    while (pushed < flood && pushFrame(socket, frame) === 'sent') {
      pushed += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }

    expect(pushed).toBe(flood);
    expect(socket.bufferedAmount).toBeLessThanOrEqual(maxBacklogBytes);
    reader.close();
    await once(reader, 'close');
    expect(received).toBe(flood);
  });
});
