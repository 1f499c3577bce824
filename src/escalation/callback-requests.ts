import type { RefusalReason } from '../channels/outbound';

/**
 * The contract between the places a customer can ask for a call back (the
 * IVR's callback node, the chat button, an SMS keyword, an email link) and
 * the callback service behind them (src/escalation/callback-service.ts).
 */

export type CallbackSource = 'ivr' | 'chat' | 'sms' | 'email';

export interface CallbackRequest {
  customerId: string;
  /** The callback carries the conversation, never a copy of its data. */
  conversationId: string;
  source: CallbackSource;
  /**
   * The same key twice makes one callback: a double click, a webhook that
   * jambonz retried. A chat message id, an SMS message_sid, a call_sid.
   */
  requestKey: string;
  /** E.164; defaults to the customer's best verified phone number. */
  phone?: string;
  /**
   * When the customer first joined the line (ms since the epoch): for an
   * IVR callback the call's start, so they keep the place they waited
   * for. Defaults to the time of the request.
   */
  joinedAt?: number;
}

export type CallbackReceipt =
  | {
      status: 'scheduled' | 'already-scheduled';
      callbackId: string;
      /** 1 = next to be called. */
      position: number;
      estimatedWaitSeconds: number;
    }
  | { status: 'refused'; reason: RefusalReason };

export interface CallbackRequests {
  request(request: CallbackRequest): Promise<CallbackReceipt>;
}

/**
 * Tells a customer something on the digital channel their conversation is
 * on: their place in line, a callback that could not reach them. The
 * channels provide it; it checks consent and limits itself.
 */
export interface CustomerNotifier {
  notify(
    customerId: string,
    conversationId: string,
    text: string,
  ): Promise<void>;
}
