import { readFileSync } from 'node:fs';
import path from 'node:path';
// The type import brings in the plugin's websocket route options.
import type {} from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../context/validate';
import { pushFrame } from '../../http/ws-frames';
import { clientIdPattern } from './protocol';
import type { ChatService } from './service';
import { serveVisitor, type VisitorSocketOptions } from './visitor-socket';

/**
 * Chat over HTTP: the page and the widget script a site includes, the
 * visitor's WebSocket, and for agents (under /api, behind the admin
 * token) replies, the transcript and a WebSocket of every visitor message
 * as it arrives.
 */

// From src/channels/chat or dist/channels/chat alike: the repository root.
const webDir = path.join(__dirname, '..', '..', '..', 'src', 'web', 'chat');

// The page runs only its own script and talks only to its own origin.
const pagePolicy =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "connect-src 'self'; img-src 'self' data:; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";

export function chatPublicRoutes(
  app: FastifyInstance,
  chat: ChatService,
  options: Omit<VisitorSocketOptions, 'log'>,
): void {
  const page = readFileSync(path.join(webDir, 'index.html'));
  const widget = readFileSync(path.join(webDir, 'widget.js'));

  app.get('/chat', (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', pagePolicy)
      .header('cache-control', 'no-cache')
      .send(page),
  );
  app.get('/chat/widget.js', (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(widget),
  );
  app.get('/chat/ws', { websocket: true }, (socket, request) => {
    serveVisitor(socket, chat, {
      ...options,
      log: request.log.child({ component: 'chat' }),
    });
  });
}

const conversationParams = z.strictObject({
  customerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  conversationId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
});

const replyBody = z.strictObject({
  text: z.string().trim().min(1, 'must not be empty').max(8000),
  author: z.string().trim().min(1).max(128).optional(),
  id: z.string().regex(clientIdPattern, '8-64 letters, digits, -_').optional(),
});

const afterQuery = z.strictObject({
  after: z
    .string()
    .regex(/^\d{1,15}$/, 'a message seq')
    .transform(Number)
    .default(0),
});

export function chatApiRoutes(api: FastifyInstance, chat: ChatService): void {
  api.post('/chats/:customerId/:conversationId/messages', async (request) => {
    const { customerId, conversationId } = parseInput(
      conversationParams,
      request.params,
    );
    const reply = parseInput(replyBody, request.body);
    const message = await chat.reply(customerId, conversationId, reply);
    return { message };
  });

  api.get('/chats/:customerId/:conversationId/messages', async (request) => {
    const { customerId, conversationId } = parseInput(
      conversationParams,
      request.params,
    );
    const { after } = parseInput(afterQuery, request.query);
    const messages = await chat.transcripts.after(
      customerId,
      conversationId,
      after,
    );
    return { messages };
  });

  // Every visitor message, from any instance, as JSON text frames. A
  // consumer that stops reading is dropped (pushFrame) and reconnects.
  api.get('/chats/stream', { websocket: true }, (socket, request) => {
    let stop: (() => void) | undefined;
    let closed = false;
    socket.on('close', () => {
      closed = true;
      stop?.();
    });
    chat.live
      .watchInbound((message) => {
        const frame = JSON.stringify({ type: 'message', ...message });
        if (pushFrame(socket, frame) === 'dropped') {
          request.log.info('chat stream dropped: it stopped reading');
        }
      })
      .then(
        (unwatch) => {
          stop = unwatch;
          if (closed) {
            unwatch();
          } else {
            socket.send(JSON.stringify({ type: 'ready' }));
          }
        },
        (err: unknown) => {
          request.log.error({ err }, 'chat stream not subscribed');
          socket.close(1011, 'not subscribed');
        },
      );
  });
}
