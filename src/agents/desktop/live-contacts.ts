import type { FastifyBaseLogger } from 'fastify';
import type { Contact } from '../types';
import type { DesktopLiveChat } from './ports';
import type { ServerFrame } from './protocol';

/**
 * One desktop socket's live chats: while the agent holds a chat contact,
 * each visitor message of its conversation is sent to the socket as a
 * `message` frame. LiveChat subscribes on this instance, the one holding
 * the socket, so the frame needs no hop through the agent's channel. Only
 * contacts the ACD gave the agent are followed, never offers.
 */

export class LiveContacts {
  private readonly stops = new Map<string, Promise<(() => void) | undefined>>();
  private closed = false;

  constructor(
    private readonly live: DesktopLiveChat | undefined,
    private readonly send: (frame: ServerFrame) => void,
    private readonly log: FastifyBaseLogger,
  ) {}

  follow(contact: Contact): void {
    const { customerId, conversationId } = contact;
    if (
      this.closed ||
      !this.live ||
      contact.kind !== 'chat' ||
      customerId === undefined ||
      conversationId === undefined ||
      this.stops.has(contact.id)
    ) {
      return;
    }
    const watching = this.live
      .watchConversation(customerId, conversationId, (message) => {
        // The agent's own replies are on their screen already.
        if (message.direction === 'inbound') {
          this.send({ type: 'message', contactId: contact.id, message });
        }
      })
      .catch((err: unknown) => {
        this.log.warn({ err, contactId: contact.id }, 'chat not followed');
        return undefined;
      });
    this.stops.set(contact.id, watching);
  }

  unfollow(contactId: string): void {
    const watching = this.stops.get(contactId);
    this.stops.delete(contactId);
    void watching?.then((stop) => stop?.());
  }

  close(): void {
    this.closed = true;
    for (const contactId of [...this.stops.keys()]) {
      this.unfollow(contactId);
    }
  }
}
