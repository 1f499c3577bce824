import type { Logger } from '../../log';
import type { Acd, AcdHooks } from '../acd';
import type { AgentState } from '../types';
import type { DesktopActions } from './ports';
import type { ScreenPops } from './screen-pop';

/**
 * The desktop on the real ACD: what an agent's frames ask becomes ACD
 * calls, and what the ACD decides becomes frames. After each change the
 * agent's state is published too, so every tab they have open shows it.
 */

export type DesktopAcd = Pick<
  Acd,
  'setState' | 'accept' | 'decline' | 'finish' | 'agent' | 'stats'
>;

/** `acd` is a getter: the ACD is built after the desktop, with its hooks. */
export function acdActions(
  acd: () => DesktopAcd,
  pops: ScreenPops,
  wrapUpSeconds: number,
): DesktopActions {
  const publishState = async (agentId: string) => {
    const view = await acd().agent(agentId);
    await pops.stateChanged(agentId, view.state, view.reason || undefined);
  };
  return {
    async setState(agentId: string, state: AgentState, reason?: string) {
      await acd().setState(agentId, state, reason);
      await publishState(agentId);
    },
    async accept(agentId: string, offerId: string) {
      await acd().accept(agentId, offerId);
      await publishState(agentId);
    },
    async decline(agentId: string, offerId: string) {
      await acd().decline(agentId, offerId);
      await publishState(agentId);
    },
    // The note is on the timeline already (desktop-socket.ts); the ACD
    // takes the wrap-up time instead.
    async finish(agentId: string, contactId: string) {
      await acd().finish(agentId, contactId, wrapUpSeconds);
      await publishState(agentId);
    },
    async current(agentId: string) {
      const view = await acd().agent(agentId);
      return { state: view.state, reason: view.reason || undefined };
    },
    async contactOf(agentId: string, contactId: string) {
      const view = await acd().agent(agentId);
      return view.contacts.find((contact) => contact.id === contactId);
    },
    async contactsOf(agentId: string) {
      return (await acd().agent(agentId)).contacts;
    },
  };
}

/** The hooks to build the ACD with: the pop goes out before the dial. */
export function acdHooks(
  acd: () => DesktopAcd,
  pops: ScreenPops,
  log: Logger,
): Required<AcdHooks> {
  return {
    onOffer: (offer) => pops.deliver(offer),
    onOfferGone: (offer, why) => pops.gone(offer, why),
    onQueueChange: (queue) => {
      acd()
        .stats(queue)
        .then((stats) => pops.queueChanged(queue, stats))
        .catch((err: unknown) => {
          log.warn({ err, queue }, 'queue statistics not pushed');
        });
    },
  };
}
