import type { ContextCard } from '../context/card';
import type { EventInput } from '../context/events';
import type { ContextStore } from '../context/store';
import type { Logger } from '../log';
import { Journeys, type DigitalChannel, type Placement } from './journeys';
import { parseKeyword } from './sms/keywords';

/**
 * A customer's message has landed in a conversation: what routing needs
 * to know to find them an agent. Chat says so after a visitor's message
 * is stored; SMS and email through the journeys they record with, since
 * each of their inbound messages is recorded there exactly once.
 */

export interface Arrival {
  channel: DigitalChannel;
  customerId: string;
  conversationId: string;
}

export type ArrivalListener = (arrival: Arrival) => Promise<void>;

export class Arrivals {
  private readonly listeners: ArrivalListener[] = [];

  constructor(private readonly log: Logger) {}

  listen(listener: ArrivalListener): void {
    this.listeners.push(listener);
  }

  /**
   * Awaited, so a message is routed before its webhook is answered; a
   * listener that fails is logged and never fails the message, which is
   * stored by now.
   */
  async landed(arrival: Arrival): Promise<void> {
    for (const listener of this.listeners) {
      await listener(arrival).catch((err: unknown) => {
        this.log.error(
          {
            err,
            channel: arrival.channel,
            customerId: arrival.customerId,
            conversationId: arrival.conversationId,
          },
          'arrival not routed',
        );
      });
    }
  }
}

/** Journeys that tell `arrivals` of each message they record. */
export class ReportingJourneys extends Journeys {
  constructor(
    store: ContextStore,
    now: () => Date,
    private readonly arrivals: Arrivals,
  ) {
    super(store, now);
  }

  override async record(
    card: ContextCard,
    channel: DigitalChannel,
    events: EventInput[],
    options: { named?: string; subject: string },
  ): Promise<Placement> {
    const placement = await super.record(card, channel, events, options);
    if (events.every(answeredBySms)) {
      return placement;
    }
    await this.arrivals.landed({
      channel,
      customerId: placement.customerId,
      conversationId: placement.conversationId,
    });
    return placement;
  }
}

/**
 * STOP, START, HELP and CALL ME texts are answered by the SMS channel
 * itself (sms/inbound.ts): no agent needs to read them.
 */
function answeredBySms(event: EventInput): boolean {
  return (
    event.type === 'sms.message' &&
    event.direction === 'inbound' &&
    parseKeyword(event.text) !== undefined
  );
}
