import type { Logger } from '../../log';
import { waitForReady, type RedisClient } from '../../redis/connect';
import type { ChatMessage } from './protocol';
import { chatChannels } from './transcript';

/**
 * Live delivery across bridgeline instances. A message is published on
 * Redis pub/sub as it is stored (transcript.ts); each instance keeps one
 * subscriber connection and hands what arrives to its own sockets: a
 * visitor's for their conversation, an agent consumer's for every visitor
 * message. Pub/sub may drop a message while a connection is down; the
 * transcript is the record, and a visitor resuming by seq catches up.
 */

export type Listener = (message: ChatMessage) => void;

interface Watched {
  listeners: Set<Listener>;
  /** Settles once Redis confirmed the subscription. */
  subscribed: Promise<unknown>;
}

export class LiveChat {
  private subscriber: RedisClient | undefined;
  private readonly byChannel = new Map<string, Watched>();

  constructor(
    private readonly redis: RedisClient,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const subscriber = this.redis.duplicate();
    subscriber.on('error', (err: Error) => {
      this.log.warn({ err: err.message }, 'chat subscriber error');
    });
    subscriber.on('message', (channel: string, payload: string) => {
      this.deliver(channel, payload);
    });
    this.subscriber = subscriber;
    // Ready before the first SUBSCRIBE: one sent while the new connection
    // was still in ioredis's ready check was confirmed by Redis, then
    // dropped from ioredis's subscription set, and its messages were lost.
    await waitForReady(subscriber);
    const channels = [...this.byChannel.keys()];
    if (channels.length > 0) {
      await subscriber.subscribe(...channels);
    }
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.byChannel.clear();
    await subscriber?.quit().catch(() => undefined);
  }

  /** Calls `listener` with each message said in the conversation. */
  watchConversation(
    customerId: string,
    conversationId: string,
    listener: Listener,
  ): Promise<() => void> {
    return this.watch(
      chatChannels.conversation(customerId, conversationId),
      listener,
    );
  }

  /** Calls `listener` with every visitor message, on any instance. */
  watchInbound(listener: Listener): Promise<() => void> {
    return this.watch(chatChannels.inbound, listener);
  }

  /** Resolves once subscribed; the function it gives stops the watch. */
  private async watch(
    channel: string,
    listener: Listener,
  ): Promise<() => void> {
    let watched = this.byChannel.get(channel);
    if (!watched) {
      watched = {
        listeners: new Set(),
        subscribed: this.subscriber?.subscribe(channel) ?? Promise.resolve(),
      };
      this.byChannel.set(channel, watched);
    }
    watched.listeners.add(listener);
    // A second watcher waits for the first one's subscription too.
    await watched.subscribed;
    return () => {
      const current = this.byChannel.get(channel);
      if (!current?.listeners.delete(listener) || current.listeners.size > 0) {
        return;
      }
      this.byChannel.delete(channel);
      this.subscriber?.unsubscribe(channel).catch((err: unknown) => {
        this.log.warn({ err }, 'chat unsubscribe failed');
      });
    };
  }

  private deliver(channel: string, payload: string): void {
    const listeners = this.byChannel.get(channel)?.listeners;
    if (!listeners) {
      return;
    }
    let message: ChatMessage;
    try {
      message = JSON.parse(payload) as ChatMessage;
    } catch {
      this.log.warn({ channel }, 'chat message on pub/sub is not JSON');
      return;
    }
    for (const listener of listeners) {
      listener(message);
    }
  }
}
