import type { Logger } from '../../log';
import { waitForReady, type RedisClient } from '../../redis/connect';
import type { PushedFrame } from './protocol';
import { desktopChannels } from './screen-pop';

/**
 * Hands what is published for a desktop to the sockets this instance
 * holds. One subscriber connection per instance; a channel per agent with
 * a socket here (an agent may have two tabs), and one for supervisors.
 * Pub/sub keeps nothing for a desktop that is away: a pop published while
 * no socket listens is lost, and the ACD's offer timeout moves on.
 */

/** Gets the frame parsed, and its text to send on unchanged. */
export type DesktopListener = (frame: PushedFrame, text: string) => void;

interface Watched {
  listeners: Set<DesktopListener>;
  /** Settles once Redis confirmed the subscription. */
  subscribed: Promise<unknown>;
}

export class DesktopHub {
  private subscriber: RedisClient | undefined;
  private readonly byChannel = new Map<string, Watched>();

  constructor(
    private readonly redis: RedisClient,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const subscriber = this.redis.duplicate();
    subscriber.on('error', (err: Error) => {
      this.log.warn({ err: err.message }, 'desktop subscriber error');
    });
    subscriber.on('message', (channel: string, text: string) => {
      this.hand(channel, text);
    });
    // Ready before the first SUBSCRIBE: one sent while ioredis was still
    // in its ready check was confirmed by Redis, then dropped from
    // ioredis's subscription set, and its messages lost (see chat/live.ts).
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

  /** The agent's pops, offers gone and states; resolves once subscribed. */
  watchAgent(agentId: string, listener: DesktopListener) {
    return this.watch(desktopChannels.agent(agentId), listener);
  }

  /** Queue statistics, for a supervisor's socket. */
  watchQueues(listener: DesktopListener) {
    return this.watch(desktopChannels.supervisors, listener);
  }

  /** How many agents have a socket on this instance. */
  get channelCount(): number {
    return this.byChannel.size;
  }

  private async watch(
    channel: string,
    listener: DesktopListener,
  ): Promise<() => void> {
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
    // A second tab waits for the first one's subscription too.
    await watched.subscribed;
    return () => {
      const current = this.byChannel.get(channel);
      if (!current?.listeners.delete(listener) || current.listeners.size > 0) {
        return;
      }
      this.byChannel.delete(channel);
      this.subscriber?.unsubscribe(channel).catch((err: unknown) => {
        this.log.warn({ err }, 'desktop unsubscribe failed');
      });
    };
  }

  private hand(channel: string, text: string): void {
    const listeners = this.byChannel.get(channel)?.listeners;
    if (!listeners) {
      return;
    }
    let frame: PushedFrame;
    try {
      // Only ScreenPops publishes here; the type is checked, not trusted.
      const parsed: unknown = JSON.parse(text);
      if (!isPushedFrame(parsed)) {
        throw new TypeError('not a desktop frame');
      }
      frame = parsed;
    } catch {
      this.log.warn({ channel }, 'desktop message on pub/sub is not a frame');
      return;
    }
    for (const listener of listeners) {
      listener(frame, text);
    }
  }
}

const pushedTypes = new Set([
  'screen-pop',
  'offer-gone',
  'state',
  'queue-stats',
]);

function isPushedFrame(value: unknown): value is PushedFrame {
  return (
    typeof value === 'object' &&
    value !== null &&
    'type' in value &&
    typeof value.type === 'string' &&
    pushedTypes.has(value.type)
  );
}
