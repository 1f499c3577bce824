import jambonz from '@jambonz/node-client';
import type { ContextCard } from '../../context/card';
import { verificationLevels } from '../../context/identity';
import type { ContextStore } from '../../context/store';
import { maskPhone, type Logger } from '../../log';
import type { CostLimits } from '../cost-limits';
import type { OutboundMessage, SendResult, SmsSender } from '../outbound';
import type { JambonzApiTarget } from '../settings';

/**
 * SMS out through the jambonz REST API (jambonz docs, "Create a message":
 * POST /v1/Accounts/:sid/Messages). Every send, whoever asks for it (an
 * agent's reply, an escalation link, a callback notice, a keyword's
 * answer), checks the customer's consent and the number's hourly limit
 * here, then goes on the customer's timeline.
 */

type RestClient = ReturnType<typeof jambonz>;

export interface SmsSenderSettings {
  api: JambonzApiTarget | undefined;
  /** SMS_FROM_NUMBER */
  from: string | undefined;
}

export type SmsMessage = OutboundMessage & { to: string };

export class JambonzSmsSender implements SmsSender {
  private readonly client: RestClient | undefined;

  constructor(
    private readonly store: ContextStore,
    private readonly limits: CostLimits,
    private readonly settings: SmsSenderSettings,
    private readonly log: Logger,
  ) {
    const { api } = settings;
    this.client =
      api && settings.from
        ? jambonz(api.accountSid, api.apiKey, { baseUrl: api.baseUrl })
        : undefined;
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  send(message: SmsMessage): Promise<SendResult> {
    return this.deliver(message, { honourOptOut: true });
  }

  /**
   * Texts the customer at their most trusted number: for a callback
   * notice or a reply, where the caller knows the conversation but not
   * the phone. 'no-address' when the customer has no number.
   */
  async sendToCustomer(message: OutboundMessage): Promise<SendResult> {
    const card = await this.store.cardById(message.customerId);
    const to = card && bestPhone(card);
    if (to === undefined) {
      return { status: 'refused', reason: 'no-address' };
    }
    return this.send({ ...message, to });
  }

  /**
   * The one text an opted-out number still gets: the confirmation of its
   * STOP, which carriers expect (CTIA: "a one-time opt-out confirmation
   * message"). The hourly limit still applies.
   */
  confirmOptOut(message: SmsMessage): Promise<SendResult> {
    return this.deliver(message, { honourOptOut: false });
  }

  private async deliver(
    message: SmsMessage,
    { honourOptOut }: { honourOptOut: boolean },
  ): Promise<SendResult> {
    const { client, settings } = this;
    if (!client || !settings.from) {
      return { status: 'refused', reason: 'not-configured' };
    }
    let to: string;
    try {
      to = this.store.normalizeIdentity('phone', message.to).value;
    } catch {
      return { status: 'refused', reason: 'no-address' };
    }
    const card = await this.store.cardById(message.customerId);
    if (!card) {
      return { status: 'refused', reason: 'no-address' };
    }
    if (honourOptOut && card.customer.consent.sms === 'denied') {
      return { status: 'refused', reason: 'opted-out' };
    }
    // The slot is taken before the request and kept if it fails: a
    // carrier that errors after sending still bills, and retries loop.
    if (!(await this.limits.take('sms', to))) {
      this.log.info(
        { customerId: message.customerId, to: maskPhone(to) },
        'sms refused: hourly limit for the number reached',
      );
      return { status: 'refused', reason: 'rate-limited' };
    }

    const sid = await createMessage(client, {
      from: settings.from,
      to,
      text: message.text,
    });
    this.log.info(
      { customerId: message.customerId, messageSid: sid, to: maskPhone(to) },
      'sms sent',
    );
    await this.store
      .appendEvents(message.customerId, [
        {
          type: 'sms.message',
          direction: 'outbound',
          text: message.text,
          messageSid: sid,
          conversationId: message.conversationId,
        },
      ])
      .catch((err: unknown) => {
        // Sent is sent: the customer has the text even if the timeline
        // write failed, so the caller hears "sent" and the log says why.
        this.log.error(
          { err, customerId: message.customerId, messageSid: sid },
          'sms sent but not recorded on the timeline',
        );
      });
    return { status: 'sent', id: sid };
  }
}

/**
 * messages.create asks bent for a 201, but jambonz answers a created
 * message with 200 and { sid }; bent then rejects with a StatusError whose
 * statusCode is 200 and whose body is still unread. Both mean sent.
 */
async function createMessage(
  client: RestClient,
  message: { from: string; to: string; text: string },
): Promise<string> {
  let sid: unknown;
  try {
    sid = await client.messages.create(message);
  } catch (err) {
    if (!isStatusError(err) || err.statusCode !== 200) {
      throw err;
    }
    const body = (await err.json()) as { sid?: unknown } | null;
    sid = body?.sid;
  }
  if (typeof sid !== 'string' || sid === '') {
    throw new Error('jambonz created a message but gave no sid for it');
  }
  return sid;
}

interface StatusError {
  statusCode: number;
  json(): Promise<unknown>;
}

function isStatusError(err: unknown): err is StatusError {
  return (
    err instanceof Error &&
    typeof (err as Partial<StatusError>).statusCode === 'number' &&
    typeof (err as Partial<StatusError>).json === 'function'
  );
}

/** The most trusted phone number, the latest linked among equals. */
export function bestPhone(card: ContextCard): string | undefined {
  const trust = (level: (typeof verificationLevels)[number]) =>
    verificationLevels.indexOf(level);
  const phones = card.identities
    .filter((identity) => identity.kind === 'phone')
    .sort(
      (a, b) =>
        trust(b.verification) - trust(a.verification) ||
        b.linkedAt.localeCompare(a.linkedAt),
    );
  return phones[0]?.value;
}
