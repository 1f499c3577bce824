import type { CallerCard } from '../context/card';
import type { EventInput } from '../context/events';
import type { ContextStore } from '../context/store';
import type { Journeys } from '../channels/journeys';
import type { EmailSender, SendResult, SmsSender } from '../channels/outbound';
import type { EffectCaller, EffectResult, HandoffChannel } from '../ivr/types';
import type { LinkTokens } from './links';
import { untitled } from '../context/conversations';

/**
 * Call to digital: the IVR's handoff node. The caller gets a link to the
 * chat page, by SMS to the number they are calling from (or an email, when
 * that is all we have and they have not opted out), and the chat it opens
 * continues the call's conversation: the agent who takes it sees the IVR
 * path and what the caller said.
 */

export interface HandoffOptions {
  store: ContextStore;
  journeys: Journeys;
  links: LinkTokens;
  sms: SmsSender | undefined;
  email: EmailSender | undefined;
  /** Where the chat page is served: PUBLIC_BASE_URL. */
  publicBaseUrl: () => string;
}

export class Handoffs {
  constructor(private readonly options: HandoffOptions) {}

  /** Is there any way to send a link on `channel` at all. */
  available(channel: HandoffChannel): boolean {
    const { sms, email } = this.options;
    return channel === 'email'
      ? email !== undefined
      : sms !== undefined || email !== undefined;
  }

  async perform(
    caller: EffectCaller,
    channel: HandoffChannel,
  ): Promise<EffectResult> {
    const found = await this.customerOf(caller);
    if (!found) {
      return { outcome: 'unavailable' };
    }
    const { card, conversationId } = found;
    const token = this.options.links.issue({
      customerId: card.customer.id,
      conversationId,
    });
    const url = `${this.options.publicBaseUrl()}/chat?link=${token}`;
    const sent = await this.send(card, conversationId, caller, channel, url);
    return sent.status === 'sent'
      ? { outcome: 'done', customerId: card.customer.id, conversationId }
      : { outcome: 'unavailable' };
  }

  /**
   * SMS first, to the number on the call: the caller is holding that
   * phone. Email when the node asks for it, or when SMS cannot reach them
   * (no number, opted out, over the hourly limit).
   */
  private async send(
    card: CallerCard,
    conversationId: string,
    caller: EffectCaller,
    channel: HandoffChannel,
    url: string,
  ): Promise<SendResult> {
    const { sms, email } = this.options;
    const customerId = card.customer.id;
    let result: SendResult = { status: 'refused', reason: 'no-address' };
    const phone = caller.phone ?? bestIdentity(card, 'phone');
    if (channel !== 'email' && sms && phone !== undefined) {
      result = await sms.send({
        customerId,
        conversationId,
        to: phone,
        text: `Carry on where we left off, in chat: ${url}`,
      });
    }
    const address = bestIdentity(card, 'email');
    if (result.status !== 'sent' && email && address !== undefined) {
      result = await email.send({
        customerId,
        conversationId,
        to: address,
        subject: 'Your link to carry on in chat',
        text:
          'You asked us on the phone for a link to carry on in chat. ' +
          `Open it within a day; it works once:\n\n${url}\n`,
      });
    }
    return result;
  }

  /**
   * The caller's customer and the call's conversation. A caller we did not
   * know is now known by the number they called from (carrier caller id),
   * and the call gets a conversation that starts with its IVR path.
   */
  private async customerOf(
    caller: EffectCaller,
  ): Promise<{ card: CallerCard; conversationId: string } | undefined> {
    const { store, journeys } = this.options;
    const card =
      caller.customerId !== undefined
        ? await store.cardById(caller.customerId)
        : caller.phone !== undefined
          ? await journeys.customerFor({
              kind: 'phone',
              value: caller.phone,
              verification: 'carrier',
              source: 'call',
            })
          : undefined;
    if (!card) {
      return undefined;
    }
    const open = card.conversations.open.find(
      (conversation) => conversation.id === caller.conversationId,
    );
    if (open) {
      return { card, conversationId: open.id };
    }
    const opening = store.prepareConversation({
      subject: untitled.call,
      channel: 'voice',
    });
    const events: EventInput[] = [
      {
        type: 'call.started',
        direction: 'inbound',
        callSid: caller.callSid,
        conversationId: opening.id,
      },
      ...caller.path.map((node): EventInput => ({
        type: 'ivr.step',
        callSid: caller.callSid,
        flowId: caller.flowId,
        node,
        conversationId: opening.id,
      })),
    ];
    await store.appendEvents(card.customer.id, events, { opening });
    const refreshed = (await store.cardById(card.customer.id)) ?? card;
    return { card: refreshed, conversationId: opening.id };
  }
}

/**
 * The strongest-verified identity of a kind: where a link may go. Never a
 * self-claimed one: a link opens the conversation, and anyone can type
 * someone else's address into a chat form.
 */
function bestIdentity(
  card: CallerCard,
  kind: 'phone' | 'email',
): string | undefined {
  const rank = { otp: 2, carrier: 1, self_claimed: 0 } as const;
  const [best] = card.identities
    .filter((identity) => identity.kind === kind && identity.verified)
    .sort((a, b) => rank[b.verification] - rank[a.verification]);
  return best?.value;
}
