import type { Contact } from '../types';
import type { DesktopSocketOptions } from './desktop-socket';
import type { ClientFrame } from './protocol';

/**
 * What a desktop socket keeps of the contacts it was shown, and the
 * wrap-up that ends one: the socket knows whose contact it was from the
 * pop, so the note lands on the right customer's timeline.
 */

// Contacts remembered per socket, for the wrap-up note of each.
const maxRemembered = 50;

/**
 * The ACD is told the contact is finished; a note goes on the customer's
 * timeline as agent.note, written here because the desktop knows whose
 * contact it was from the pop.
 */
export async function wrapUp(
  agentId: string,
  frame: Extract<ClientFrame, { type: 'finish' }>,
  contacts: Map<string, Contact>,
  options: Pick<DesktopSocketOptions, 'actions' | 'store'>,
): Promise<void> {
  // A tab opened after the pop did not see it: the ACD knows the contact
  // until it is finished.
  const contact =
    contacts.get(frame.contactId) ??
    (await options.actions.contactOf?.(agentId, frame.contactId));
  if (frame.note !== undefined && contact?.customerId !== undefined) {
    await options.store.appendEvent(contact.customerId, {
      type: 'agent.note',
      agentId,
      text: frame.note,
      ...(contact.conversationId === undefined
        ? {}
        : { conversationId: contact.conversationId }),
    });
  }
  await options.actions.finish(agentId, frame.contactId, frame.note);
}

export function remember(
  contacts: Map<string, Contact>,
  contact: Contact,
  key = contact.id,
): void {
  contacts.set(key, contact);
  if (contacts.size > maxRemembered) {
    const oldest = contacts.keys().next();
    if (!oldest.done) {
      contacts.delete(oldest.value);
    }
  }
}
