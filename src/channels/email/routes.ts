import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ContextStore } from '../../context/store';
import { parseInput } from '../../context/validate';
import type { ErrorCode } from '../../errors';
import { conversationToReply, sendReply } from '../replies';
import type { RefusalReason } from '../outbound';
import type { SmtpEmailSender } from './sender';

/** The agents' email reply API, under /api behind the admin token. */

const replyInput = z.strictObject({
  text: z.string().trim().min(1).max(100_000),
  // RFC 5322 section 2.1.1: a header line is at most 998 characters.
  subject: z.string().trim().min(1).max(900).optional(),
});

const refusals: Record<RefusalReason, ErrorCode> = {
  'opted-out': 'BL_ERR_EMAIL_OPTED_OUT',
  'rate-limited': 'BL_ERR_EMAIL_HOURLY_LIMIT',
  'no-address': 'BL_ERR_EMAIL_NO_ADDRESS',
  // Never given: without SMTP_URL mail goes to the outbox.
  'not-configured': 'BL_ERR_EMAIL_SEND_FAILED',
};

interface WithConversation {
  Params: { id: string; conversationId: string };
}

/**
 * POST /api/customers/:id/conversations/:conversationId/email
 * {text, subject?}: an agent's reply by email to the address the customer
 * wrote from last; the subject defaults to "Re: " and the conversation's.
 * 201 with { status: 'sent', id: <Message-ID> } or a coded refusal.
 */
export function emailReplyRoute(store: ContextStore, sender: SmtpEmailSender) {
  return (api: FastifyInstance): void => {
    api.post<WithConversation>(
      '/customers/:id/conversations/:conversationId/email',
      async (request, reply) => {
        const input = parseInput(replyInput, request.body);
        const { id, conversationId } = request.params;
        const conversation = await conversationToReply(
          store,
          id,
          conversationId,
        );
        const result = await sendReply(
          () =>
            sender.sendToCustomer({
              customerId: id,
              conversationId,
              text: input.text,
              subject: input.subject ?? `Re: ${conversation.subject}`,
            }),
          { failed: 'BL_ERR_EMAIL_SEND_FAILED', refusals },
          request.log,
          id,
        );
        return reply.status(201).send(result);
      },
    );
  };
}
