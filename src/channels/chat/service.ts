import { randomBytes } from 'node:crypto';
import type { ContextStore, PreparedConversation } from '../../context/store';
import { keys } from '../../context/keys';
import { BridgelineError, isBridgelineError } from '../../errors';
import type {
  CallbackReceipt,
  CallbackRequests,
} from '../../escalation/callback-requests';
import type { Logger } from '../../log';
import type { ArrivalListener } from '../arrivals';
import type { Journeys } from '../journeys';
import { subjectLine } from '../journeys';
import type { LiveChat } from './live';
import type { ChatMessage, MessageFrame, ProfileFrame } from './protocol';
import {
  chatChannels,
  chatKeys,
  Transcripts,
  type AppendOutcome,
} from './transcript';
import type { VisitorTokens } from './visitor-tokens';
import { untitled } from '../../context/conversations';

/**
 * Web chat: a visitor's messages into their conversation and the
 * timeline, agents' replies back, the pre-chat form and the call back
 * button. The WebSocket and HTTP routes (routes.ts) only parse frames and
 * call this.
 *
 * A visitor is known by a random id the browser keeps; the customer
 * behind it is created with their first message, so a page view stores
 * nothing. What the visitor is shown is only ever the chat transcript of
 * their own conversation: identities typed into the form are self-claimed
 * and never unlock anything.
 */

export interface VisitorSession {
  visitorId: string;
  /** What the browser keeps to come back as the same visitor. */
  token: string;
  customerId?: string;
  conversationId?: string;
}

export interface ChatServiceOptions {
  store: ContextStore;
  journeys: Journeys;
  live: LiveChat;
  tokens: VisitorTokens;
  messagesPerMinute: number;
  /** How long a quiet chat can be resumed; its transcript lives as long. */
  resumeWindowMs: number;
  /**
   * The callback service, or how to find it once it is built; without
   * one the button answers that call backs are not available.
   */
  callbacks?: CallbackRequests | (() => CallbackRequests | undefined);
  logger: Logger;
  now?: () => Date;
}

export interface Reply {
  text: string;
  author?: string;
  /** The agent client's id: the same reply sent twice is stored once. */
  id?: string;
}

export class ChatService {
  readonly transcripts: Transcripts;
  private readonly now: () => Date;
  private readonly arrivals: ArrivalListener[] = [];

  constructor(private readonly options: ChatServiceOptions) {
    this.transcripts = new Transcripts(
      options.store.redis,
      Math.ceil(options.resumeWindowMs / 1000),
    );
    this.now = options.now ?? (() => new Date());
  }

  get live(): LiveChat {
    return this.options.live;
  }

  /** Told of each visitor message once it is stored and live. */
  onVisitorMessage(listener: ArrivalListener): void {
    this.arrivals.push(listener);
  }

  /** The session a browser's token names, or a new visitor's. */
  async open(token: string | undefined): Promise<VisitorSession> {
    const { tokens, store } = this.options;
    const visitorId = token === undefined ? undefined : tokens.verify(token);
    if (visitorId === undefined || token === undefined) {
      return tokens.issue();
    }
    const session: VisitorSession = { visitorId, token };
    const customerId = await store.redis.get(keys.identity('chat', visitorId));
    if (customerId !== null) {
      session.customerId = customerId;
      const conversationId = await this.transcripts.sessionOf(
        customerId,
        visitorId,
      );
      if (conversationId !== undefined) {
        session.conversationId = conversationId;
      }
    }
    return session;
  }

  /** The session's messages after `afterSeq`: what it missed. */
  async missed(
    session: VisitorSession,
    afterSeq: number,
  ): Promise<ChatMessage[]> {
    const { customerId, conversationId } = session;
    if (customerId === undefined || conversationId === undefined) {
      return [];
    }
    return this.transcripts.after(customerId, conversationId, afterSeq);
  }

  /**
   * Stores a visitor's message once, whatever how often it is sent, then
   * tells the conversation's watchers and every agent consumer. Refused,
   * with nothing stored, past the per-minute limit.
   */
  async send(
    session: VisitorSession,
    frame: MessageFrame,
  ): Promise<AppendOutcome> {
    const customerId = await this.customerOf(session);
    const { conversationId, opening } = await this.placeFor(
      session,
      customerId,
      frame.text,
    );
    const message: Omit<ChatMessage, 'seq'> = {
      id: frame.id,
      customerId,
      conversationId,
      direction: 'inbound',
      text: frame.text,
      at: this.now().toISOString(),
    };
    const outcome = await this.transcripts.append(message, {
      clientId: frame.id,
      rate: {
        visitorId: session.visitorId,
        perMinute: this.options.messagesPerMinute,
      },
    });
    if (outcome.status !== 'stored') {
      return outcome;
    }
    // The timeline before the live push: an agent who replies at once
    // finds the conversation there.
    await this.options.store.appendEvents(
      customerId,
      [
        {
          type: 'chat.message',
          direction: 'inbound',
          text: frame.text,
          author: 'visitor',
          at: message.at,
          conversationId,
        },
      ],
      opening ? { opening } : {},
    );
    if (opening) {
      await this.settle(session, customerId, conversationId);
    }
    await this.transcripts.publish({ ...message, seq: outcome.seq }, [
      chatChannels.conversation(customerId, conversationId),
      chatChannels.inbound,
    ]);
    for (const listener of this.arrivals) {
      await listener({ channel: 'chat', customerId, conversationId });
    }
    return outcome;
  }

  /**
   * The pre-chat form. The name goes on the visitor's customer; an email
   * or phone is linked as self-claimed, or, when it is already another
   * customer's, only noted for agents: the visitor is not merged into
   * that customer and is told nothing either way.
   */
  async claimProfile(
    session: VisitorSession,
    frame: ProfileFrame,
  ): Promise<void> {
    const { store } = this.options;
    const customerId = await this.customerOf(session);
    await this.countAgainstRate(session, customerId);
    const claims = [
      { kind: 'email' as const, raw: frame.email },
      { kind: 'phone' as const, raw: frame.phone },
    ].flatMap(({ kind, raw }) =>
      raw === undefined
        ? []
        : [{ kind, value: store.normalizeIdentity(kind, raw, kind).value }],
    );
    if (frame.name !== undefined) {
      await store.upsertCustomer({ id: customerId, name: frame.name });
    }
    for (const claim of claims) {
      try {
        await store.linkIdentity(customerId, {
          ...claim,
          verification: 'self_claimed',
          source: 'chat-form',
        });
      } catch (err) {
        if (!isBridgelineError(err) || err.code !== 'BL_ERR_IDENTITY_TAKEN') {
          throw err;
        }
        await store.appendEvents(customerId, [
          {
            type: 'agent.note',
            agentId: 'chat-form',
            text:
              `The visitor typed the ${claim.kind} ${claim.value} ` +
              '(self-claimed, unverified). It belongs to another customer, ' +
              'so it was not linked and nothing of theirs was shown.',
            ...(session.conversationId === undefined
              ? {}
              : { conversationId: session.conversationId }),
          },
        ]);
      }
    }
  }

  /** The "call me back" button: one callback per button press id. */
  async requestCallback(
    session: VisitorSession,
    requestKey: string,
  ): Promise<CallbackReceipt> {
    const { store } = this.options;
    const given = this.options.callbacks;
    const callbacks = typeof given === 'function' ? given() : given;
    if (!callbacks) {
      throw new BridgelineError('BL_ERR_CALLBACKS_UNAVAILABLE');
    }
    const customerId = await this.customerOf(session);
    await this.countAgainstRate(session, customerId);
    let conversationId = session.conversationId;
    if (conversationId === undefined) {
      const opened = await store.openConversation(customerId, {
        subject: untitled.chatCallback,
        channel: 'chat',
      });
      conversationId = opened.id;
      await this.settle(session, customerId, conversationId);
    }
    return callbacks.request({
      customerId,
      conversationId,
      source: 'chat',
      requestKey,
    });
  }

  /**
   * Joins a visitor to a conversation that already exists, as when they
   * open a "carry on in chat" link: later messages go to that
   * conversation and its customer, and on reload the visitor comes back
   * to it. A visitor already known as someone else gets a fresh visitor
   * id (and token, on the session) rather than merging the two customers.
   * The caller has checked the link; this only checks the conversation.
   */
  async joinConversation(
    session: VisitorSession,
    target: { customerId: string; conversationId: string },
  ): Promise<VisitorSession> {
    const { store, tokens } = this.options;
    const { customerId, conversationId } = target;
    const exists = await store.redis.exists(
      keys.conversation(customerId, conversationId),
    );
    if (exists === 0) {
      throw new BridgelineError('BL_ERR_CONVERSATION_NOT_FOUND', {
        field: 'conversationId',
      });
    }
    let joined = session;
    if (session.customerId !== undefined) {
      joined =
        session.customerId === customerId ? session : { ...tokens.issue() };
    }
    if (joined.customerId === undefined) {
      await store.linkIdentity(customerId, {
        kind: 'chat',
        value: joined.visitorId,
        verification: 'self_claimed',
        source: 'chat-link',
      });
    }
    await this.settle(joined, customerId, conversationId);
    return joined;
  }

  /** An agent's reply: stored, on the timeline, then live to the visitor. */
  async reply(
    customerId: string,
    conversationId: string,
    reply: Reply,
  ): Promise<ChatMessage> {
    const { store } = this.options;
    const exists = await store.redis.exists(
      keys.conversation(customerId, conversationId),
    );
    if (exists === 0) {
      throw new BridgelineError('BL_ERR_CONVERSATION_NOT_FOUND', {
        field: 'conversationId',
      });
    }
    const message: Omit<ChatMessage, 'seq'> = {
      id: reply.id ?? `a${randomBytes(12).toString('base64url')}`,
      customerId,
      conversationId,
      direction: 'outbound',
      text: reply.text,
      ...(reply.author === undefined ? {} : { author: reply.author }),
      at: this.now().toISOString(),
    };
    const outcome = await this.transcripts.append(message, {
      clientId: message.id,
    });
    if (outcome.status === 'rate-limited') {
      throw new Error('replies are never rate-limited');
    }
    const stored = { ...message, seq: outcome.seq };
    if (outcome.status === 'duplicate') {
      return stored;
    }
    await store.appendEvents(customerId, [
      {
        type: 'chat.message',
        direction: 'outbound',
        text: reply.text,
        at: message.at,
        conversationId,
        ...(reply.author === undefined ? {} : { author: reply.author }),
      },
    ]);
    await this.transcripts.publish(stored, [
      chatChannels.conversation(customerId, conversationId),
    ]);
    return stored;
  }

  /** The visitor's customer, created with the first thing they send. */
  private async customerOf(session: VisitorSession): Promise<string> {
    if (session.customerId !== undefined) {
      return session.customerId;
    }
    const card = await this.options.journeys.customerFor({
      kind: 'chat',
      value: session.visitorId,
      verification: 'self_claimed',
      source: 'chat',
    });
    session.customerId = card.customer.id;
    return card.customer.id;
  }

  /**
   * The conversation a message continues: the session's, else the one the
   * journeys would pick for this customer, else a new one opened with the
   * message (prepared here, written with its first event).
   */
  private async placeFor(
    session: VisitorSession,
    customerId: string,
    text: string,
  ): Promise<{ conversationId: string; opening?: PreparedConversation }> {
    if (session.conversationId !== undefined) {
      return { conversationId: session.conversationId };
    }
    const { store, journeys } = this.options;
    const card = await store.cardById(customerId);
    const existing = card && journeys.conversationFor(card, 'chat');
    if (existing) {
      await this.settle(session, customerId, existing.id);
      return { conversationId: existing.id };
    }
    const opening = store.prepareConversation({
      subject: subjectLine(text),
      channel: 'chat',
    });
    return { conversationId: opening.id, opening };
  }

  private async settle(
    session: VisitorSession,
    customerId: string,
    conversationId: string,
  ): Promise<void> {
    session.customerId = customerId;
    session.conversationId = conversationId;
    await this.transcripts.keepSession(
      customerId,
      session.visitorId,
      conversationId,
    );
  }

  // The form and the call back button write too; they share the limit.
  private async countAgainstRate(
    session: VisitorSession,
    customerId: string,
  ): Promise<void> {
    const allowed = await this.transcripts.countMessage(
      chatKeys.rate(customerId, session.visitorId),
      this.options.messagesPerMinute,
    );
    if (!allowed) {
      throw new BridgelineError('BL_ERR_CHAT_RATE_LIMITED');
    }
  }
}
