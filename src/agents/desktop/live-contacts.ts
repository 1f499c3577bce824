import type { FastifyBaseLogger } from 'fastify';
import type { ChatMessage } from '../../channels/chat/protocol';
import type { Contact } from '../types';
import type { DesktopLiveChat } from './ports';
import type { ServerFrame } from './protocol';

/**
 * One desktop socket's live chats: while the agent holds a chat contact,
 * each visitor message of its conversation is sent to the socket as a
 * `message` frame. LiveChat subscribes on this instance, the one holding
 * the socket, so the frame needs no hop through the agent's channel.
 *
 * The subscription starts with the offer, so nothing said between the
 * pop and the accept is lost, but what arrives before the accept is only
 * kept (the last few messages) and sent once the contact is the agent's;
 * an offer that goes elsewhere drops it unsent. After that each message
 * is checked against the ACD first: a contact finished from another tab
 * or over the API stops the feed, and no frame of a conversation the
 * agent no longer holds reaches them.
 */

/** Messages kept while a chat is offered, not yet accepted. */
const maxHeld = 50;

interface Followed {
  given: boolean;
  held: ChatMessage[];
  stop: Promise<(() => void) | undefined>;
  /** Messages are checked and sent one at a time, in order. */
  turn: Promise<void>;
}

export class LiveContacts {
  private readonly followed = new Map<string, Followed>();
  private closed = false;

  constructor(
    private readonly live: DesktopLiveChat | undefined,
    private readonly send: (frame: ServerFrame) => void,
    /** Whether the agent still holds the contact, as the ACD says. */
    private readonly holds: (contactId: string) => Promise<boolean>,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** An offered chat: listened to, sent nothing until `given`. */
  offered(contact: Contact): void {
    this.follow(contact, false);
  }

  /** A chat the agent holds: what was kept goes out, then each message. */
  given(contact: Contact): void {
    const followed = this.followed.get(contact.id);
    if (!followed) {
      this.follow(contact, true);
      return;
    }
    followed.given = true;
    for (const message of followed.held.splice(0)) {
      this.forward(contact.id, followed, message, false);
    }
  }

  stop(contactId: string): void {
    const followed = this.followed.get(contactId);
    this.followed.delete(contactId);
    void followed?.stop.then((stop) => stop?.());
  }

  close(): void {
    this.closed = true;
    for (const contactId of [...this.followed.keys()]) {
      this.stop(contactId);
    }
  }

  private follow(contact: Contact, given: boolean): void {
    const { customerId, conversationId } = contact;
    if (
      this.closed ||
      !this.live ||
      contact.kind !== 'chat' ||
      customerId === undefined ||
      conversationId === undefined ||
      this.followed.has(contact.id)
    ) {
      return;
    }
    const followed: Followed = {
      given,
      held: [],
      stop: Promise.resolve(undefined),
      turn: Promise.resolve(),
    };
    followed.stop = this.live
      .watchConversation(customerId, conversationId, (message) => {
        // The agent's own replies are on their screen already.
        if (message.direction !== 'inbound') {
          return;
        }
        if (followed.given) {
          this.forward(contact.id, followed, message, true);
        } else if (followed.held.push(message) > maxHeld) {
          followed.held.shift();
        }
      })
      .catch((err: unknown) => {
        this.log.warn({ err, contactId: contact.id }, 'chat not followed');
        return undefined;
      });
    this.followed.set(contact.id, followed);
  }

  private forward(
    contactId: string,
    followed: Followed,
    message: ChatMessage,
    check: boolean,
  ): void {
    followed.turn = followed.turn
      .then(async () => {
        if (check && !(await this.holds(contactId))) {
          this.stop(contactId);
          return;
        }
        if (this.followed.get(contactId) === followed) {
          this.send({ type: 'message', contactId, message });
        }
      })
      .catch((err: unknown) => {
        this.log.warn({ err, contactId }, 'chat message not sent');
      });
  }
}
