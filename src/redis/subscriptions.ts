import type { Logger } from '../log';
import { waitForReady, type RedisClient } from './connect';

/**
 * Redis pub/sub for one instance: one subscriber connection, a channel
 * subscribed while anything here watches it, and every message handed to
 * that channel's watchers. Live chat and the agent desktops both push
 * through it; pub/sub keeps nothing, so each keeps its own record
 * elsewhere (a transcript, an offer that times out).
 */

export type ChannelListener = (text: string) => void;

interface Watched {
  listeners: Set<ChannelListener>;
  /** Settles once Redis confirmed the subscription. */
  subscribed: Promise<unknown>;
}

export class Subscriptions {
  private subscriber: RedisClient | undefined;
  private readonly byChannel = new Map<string, Watched>();

  /** `name` tells the log lines of one user from another's. */
  constructor(
    private readonly redis: RedisClient,
    private readonly log: Logger,
    private readonly name: string,
  ) {}

  async start(): Promise<void> {
    const subscriber = this.redis.duplicate();
    subscriber.on('error', (err: Error) => {
      this.log.warn({ err: err.message, of: this.name }, 'subscriber error');
    });
    subscriber.on('message', (channel: string, text: string) => {
      for (const listener of this.byChannel.get(channel)?.listeners ?? []) {
        listener(text);
      }
    });
    // Ready before the first SUBSCRIBE: one sent while the new connection
    // was still in ioredis's ready check was confirmed by Redis, then
    // dropped from ioredis's subscription set, and its messages were lost.
    await waitForReady(subscriber);
    this.subscriber = subscriber;
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

  /** How many channels this instance listens to. */
  get channelCount(): number {
    return this.byChannel.size;
  }

  /** Resolves once subscribed; the function it gives stops the watch. */
  async watch(channel: string, listener: ChannelListener): Promise<() => void> {
    let watched = this.byChannel.get(channel);
    if (!watched) {
      watched = {
        listeners: new Set(),
        // Before start, start() subscribes whatever is watched by then.
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
        this.log.warn({ err, of: this.name }, 'unsubscribe failed');
      });
    };
  }
}
