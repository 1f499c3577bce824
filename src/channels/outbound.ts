/**
 * What the channels promise the rest of bridgeline when it needs to reach a
 * customer: escalation links, callback notices, agent replies. Each sender
 * checks consent and the cost limits itself, so no caller can forget to.
 */

export type RefusalReason =
  /** The customer opted out of this channel (STOP, unsubscribe). */
  | 'opted-out'
  /** The per-number hourly limit on what costs money was reached. */
  | 'rate-limited'
  /** The channel is not configured on this install. */
  | 'not-configured'
  /** The customer has no usable address on this channel. */
  | 'no-address';

export type SendResult =
  { status: 'sent'; id: string } | { status: 'refused'; reason: RefusalReason };

export interface OutboundMessage {
  customerId: string;
  conversationId: string;
  text: string;
}

export interface SmsSender {
  /** `to` is E.164; the message goes on the timeline once sent. */
  send(message: OutboundMessage & { to: string }): Promise<SendResult>;
}

export interface EmailSender {
  /** Threads into the conversation: its reply address and headers. */
  send(
    message: OutboundMessage & { to: string; subject: string },
  ): Promise<SendResult>;
}
