import type { RefusalReason } from '../channels/outbound';

/**
 * The contract between the places a customer can ask for a call back (the
 * IVR's callback node, the chat button, an SMS keyword, an email link) and
 * the callback service behind them.
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
