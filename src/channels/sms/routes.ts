import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ContextStore } from '../../context/store';
import { parseInput } from '../../context/validate';
import type { ErrorCode } from '../../errors';
import { conversationToReply, sendReply } from '../replies';
import type { RefusalReason } from '../outbound';
import { inboundSms } from './inbound-payload';
import type { SmsInbound } from './inbound';
import type { JambonzSmsSender } from './sender';

/**
 * The SMS routes: jambonz's messaging webhook, mounted in the /jambonz
 * scope behind its signature check, and the agents' reply API under /api.
 */

/**
 * POST /jambonz/sms. Point the jambonz application's messaging webhook
 * here. The message is stored before the answer, so a 200 means kept;
 * keyword answers are sent after it, so jambonz never waits on them.
 */
export function smsWebhook(inbound: SmsInbound) {
  return (scope: FastifyInstance): void => {
    scope.post('/sms', async (request) => {
      const sms = parseInput(inboundSms, request.body);
      await inbound.receive(sms);
      return {};
    });
  };
}

// Ten concatenated segments: what carriers deliver as one message.
const replyInput = z.strictObject({
  text: z.string().trim().min(1).max(1600),
});

const refusals: Record<RefusalReason, ErrorCode> = {
  'opted-out': 'BL_ERR_SMS_OPTED_OUT',
  'rate-limited': 'BL_ERR_SMS_RATE_LIMITED',
  'no-address': 'BL_ERR_SMS_NO_ADDRESS',
  'not-configured': 'BL_ERR_SMS_NOT_CONFIGURED',
};

interface WithConversation {
  Params: { id: string; conversationId: string };
}

/**
 * POST /api/customers/:id/conversations/:conversationId/sms {text}: an
 * agent's reply by SMS, to the customer's best phone number. 201 with
 * { status: 'sent', id } or a coded refusal.
 */
export function smsReplyRoute(store: ContextStore, sender: JambonzSmsSender) {
  return (api: FastifyInstance): void => {
    api.post<WithConversation>(
      '/customers/:id/conversations/:conversationId/sms',
      async (request, reply) => {
        const { text } = parseInput(replyInput, request.body);
        const { id, conversationId } = request.params;
        await conversationToReply(store, id, conversationId);
        const result = await sendReply(
          () => sender.sendToCustomer({ customerId: id, conversationId, text }),
          { failed: 'BL_ERR_SMS_SEND_FAILED', refusals },
          request.log,
          id,
        );
        return reply.status(201).send(result);
      },
    );
  };
}
