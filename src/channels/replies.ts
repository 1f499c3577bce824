import type { FastifyBaseLogger } from 'fastify';
import type { Conversation } from '../context/conversations';
import type { ContextStore } from '../context/store';
import { BridgelineError, type ErrorCode } from '../errors';
import type { RefusalReason, SendResult } from './outbound';

/**
 * What an agent's reply on any channel checks and answers alike: the
 * conversation must be the customer's, a send that throws is the
 * channel's send failure, and a refusal is the channel's coded error.
 */

/** The customer's open or recent conversation, or a 404 naming the field. */
export async function conversationToReply(
  store: ContextStore,
  customerId: string,
  conversationId: string,
): Promise<Conversation> {
  const card = await store.cardById(customerId);
  if (!card) {
    throw new BridgelineError('BL_ERR_CUSTOMER_NOT_FOUND', { field: 'id' });
  }
  const { open, recent } = card.conversations;
  const conversation = [...open, ...recent].find(
    (c) => c.id === conversationId,
  );
  if (!conversation) {
    throw new BridgelineError('BL_ERR_CONVERSATION_NOT_FOUND', {
      field: 'conversationId',
    });
  }
  return conversation;
}

export interface ReplyErrors {
  /** The send itself failed (the provider refused or was unreachable). */
  failed: ErrorCode;
  refusals: Record<RefusalReason, ErrorCode>;
}

/** Sends, and turns a failure or a refusal into the channel's error. */
export async function sendReply(
  send: () => Promise<SendResult>,
  errors: ReplyErrors,
  log: FastifyBaseLogger,
  customerId: string,
): Promise<Extract<SendResult, { status: 'sent' }>> {
  let result: SendResult;
  try {
    result = await send();
  } catch (err) {
    log.warn({ err, customerId, code: errors.failed }, 'reply not sent');
    throw new BridgelineError(errors.failed);
  }
  if (result.status === 'refused') {
    throw new BridgelineError(errors.refusals[result.reason]);
  }
  return result;
}
