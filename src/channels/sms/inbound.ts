import type { ContextStore } from '../../context/store';
import { BridgelineError } from '../../errors';
import type {
  CallbackReceipt,
  CallbackRequests,
} from '../../escalation/callback-requests';
import { maskPhone, type Logger } from '../../log';
import type { RedisClient } from '../../redis/connect';
import type { Journeys } from '../journeys';
import type { SendResult } from '../outbound';
import { storedText, type InboundSms } from './inbound-payload';
import {
  callbackBookedReply,
  keywordReplies,
  parseKeyword,
  type SmsKeyword,
} from './keywords';
import type { JambonzSmsSender } from './sender';

/**
 * An inbound SMS, from the webhook to the timeline: who sent it, which
 * conversation it continues, and what a keyword in it asks for. Stored
 * once per message_sid, however often jambonz retries the webhook.
 */

export interface SmsInboundOptions {
  redis: RedisClient;
  store: ContextStore;
  journeys: Journeys;
  sender: JambonzSmsSender;
  /**
   * The callback service, asked for when a CALL ME arrives (it is built
   * after SMS, since it texts through it); undefined when there is none.
   */
  callbacks: () => CallbackRequests | undefined;
  log: Logger;
}

export type InboundOutcome =
  | { status: 'stored'; customerId: string; conversationId: string }
  | { status: 'duplicate' };

// Long enough to outlast any retry schedule of a webhook caller.
const seenTtlSeconds = 7 * 24 * 60 * 60;
// A delivery that died half-way frees its message_sid after this.
const storingTtlSeconds = 60;

/** Carries the customer's hash tag, so erasure takes it along. */
const seenKey = (customerId: string, messageSid: string) =>
  `sms-seen:{${customerId}}:${messageSid}`;

export class SmsInbound {
  /** Keyword answers in flight: sent after the webhook is answered. */
  private readonly replies = new Set<Promise<void>>();

  constructor(private readonly options: SmsInboundOptions) {}

  async receive(sms: InboundSms): Promise<InboundOutcome> {
    const { redis, store, journeys } = this.options;
    const text = storedText(sms);
    if (text === undefined) {
      throw new BridgelineError('BL_ERR_INVALID_INPUT', {
        field: 'text',
        message: 'text: an SMS needs text or media',
      });
    }
    const from = store.normalizeIdentity('phone', sms.from, 'from').value;
    const card = await journeys.customerFor({
      kind: 'phone',
      value: from,
      verification: 'carrier',
      source: 'sms',
    });
    const customerId = card.customer.id;
    const log = this.options.log.child({
      customerId,
      messageSid: sms.message_sid,
    });

    const key = seenKey(customerId, sms.message_sid);
    // 'storing' until the message is on the timeline, then 'stored'. A
    // retry racing the first delivery is asked to come back rather than
    // told "done": should the first fail, the retry still stores it.
    const claimed = await redis.set(
      key,
      'storing',
      'EX',
      storingTtlSeconds,
      'NX',
    );
    if (claimed === null) {
      if ((await redis.get(key)) === 'storing') {
        throw new BridgelineError('BL_ERR_SMS_BEING_STORED');
      }
      log.info('sms already stored: webhook retried');
      return { status: 'duplicate' };
    }

    const keyword = parseKeyword(text);
    let placement;
    try {
      // A STOP takes effect before anything else can send to the number.
      await this.applyConsent(customerId, keyword);
      placement = await journeys.record(
        card,
        'sms',
        [
          {
            type: 'sms.message',
            direction: 'inbound',
            text,
            messageSid: sms.message_sid,
          },
        ],
        { subject: keyword === undefined ? text : 'Text message' },
      );
    } catch (err) {
      // Not stored: let jambonz's retry try again.
      await redis.del(key);
      throw err;
    }
    await redis.set(key, 'stored', 'EX', seenTtlSeconds);

    const { conversationId } = placement;
    log.info(
      {
        conversationId,
        opened: placement.opened,
        keyword,
        from: maskPhone(from),
      },
      'sms received',
    );
    if (keyword !== undefined) {
      this.track(
        this.answer(keyword, {
          customerId,
          conversationId,
          to: from,
          messageSid: sms.message_sid,
        }).catch((err: unknown) => {
          log.error({ err, keyword }, 'sms keyword answer failed');
        }),
      );
    }
    return { status: 'stored', customerId, conversationId };
  }

  /** Waits for the keyword answers in flight; before Redis closes. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.replies]);
  }

  private async applyConsent(
    customerId: string,
    keyword: SmsKeyword | undefined,
  ): Promise<void> {
    if (keyword === 'stop' || keyword === 'start') {
      await this.options.store.upsertCustomer({
        id: customerId,
        consent: { sms: keyword === 'stop' ? 'denied' : 'granted' },
      });
    }
  }

  private async answer(
    keyword: SmsKeyword,
    target: {
      customerId: string;
      conversationId: string;
      to: string;
      messageSid: string;
    },
  ): Promise<void> {
    const { sender } = this.options;
    const callbacks = this.options.callbacks();
    const { messageSid, ...address } = target;
    let result: SendResult;
    switch (keyword) {
      case 'stop':
        result = await sender.confirmOptOut({
          ...address,
          text: keywordReplies.stop,
        });
        break;
      case 'start':
      case 'help':
        result = await sender.send({
          ...address,
          text: keywordReplies[keyword],
        });
        break;
      case 'callback': {
        const receipt = callbacks
          ? await callbacks.request({
              customerId: target.customerId,
              conversationId: target.conversationId,
              source: 'sms',
              requestKey: messageSid,
              phone: target.to,
            })
          : undefined;
        result = await sender.send({
          ...address,
          text: callbackReply(receipt),
        });
        break;
      }
    }
    if (result.status === 'refused') {
      this.options.log.info(
        { customerId: target.customerId, keyword, reason: result.reason },
        'sms keyword answer not sent',
      );
    }
  }

  private track(reply: Promise<void>): void {
    this.replies.add(reply);
    void reply.finally(() => this.replies.delete(reply));
  }
}

function callbackReply(receipt: CallbackReceipt | undefined): string {
  if (receipt === undefined) {
    return keywordReplies.callbackUnavailable;
  }
  if (receipt.status === 'refused') {
    return keywordReplies.callbackRefused;
  }
  return callbackBookedReply(receipt.position, receipt.estimatedWaitSeconds);
}
