import type { Logger } from '../../log';
import type { RedisClient } from '../../redis/connect';
import { Subscriptions } from '../../redis/subscriptions';
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

export class DesktopHub {
  private readonly subscriptions: Subscriptions;

  constructor(
    redis: RedisClient,
    private readonly log: Logger,
  ) {
    this.subscriptions = new Subscriptions(redis, log, 'desktop');
  }

  start(): Promise<void> {
    return this.subscriptions.start();
  }

  close(): Promise<void> {
    return this.subscriptions.close();
  }

  /** The agent's pops, offers gone and states; resolves once subscribed. */
  watchAgent(agentId: string, listener: DesktopListener) {
    return this.watch(desktopChannels.agent(agentId), listener);
  }

  /** Queue statistics, for a supervisor's socket. */
  watchQueues(listener: DesktopListener) {
    return this.watch(desktopChannels.supervisors, listener);
  }

  /** How many agents (and the supervisors' channel) listen here. */
  get channelCount(): number {
    return this.subscriptions.channelCount;
  }

  private watch(
    channel: string,
    listener: DesktopListener,
  ): Promise<() => void> {
    return this.subscriptions.watch(channel, (text) => {
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
      listener(frame, text);
    });
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
