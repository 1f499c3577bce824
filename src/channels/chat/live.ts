import type { Logger } from '../../log';
import type { RedisClient } from '../../redis/connect';
import { Subscriptions } from '../../redis/subscriptions';
import type { ChatMessage } from './protocol';
import { chatChannels } from './transcript';

/**
 * Live delivery across bridgeline instances. A message is published on
 * Redis pub/sub as it is stored (transcript.ts); each instance hands what
 * arrives to its own sockets: a visitor's for their conversation, an agent
 * consumer's for every visitor message. Pub/sub may drop a message while a
 * connection is down; the transcript is the record, and a visitor resuming
 * by seq catches up.
 */

export type Listener = (message: ChatMessage) => void;

export class LiveChat {
  private readonly subscriptions: Subscriptions;

  constructor(
    redis: RedisClient,
    private readonly log: Logger,
  ) {
    this.subscriptions = new Subscriptions(redis, log, 'chat');
  }

  start(): Promise<void> {
    return this.subscriptions.start();
  }

  close(): Promise<void> {
    return this.subscriptions.close();
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

  private watch(channel: string, listener: Listener): Promise<() => void> {
    return this.subscriptions.watch(channel, (payload) => {
      let message: ChatMessage;
      try {
        message = JSON.parse(payload) as ChatMessage;
      } catch {
        this.log.warn({ channel }, 'chat message on pub/sub is not JSON');
        return;
      }
      listener(message);
    });
  }
}
