import type { ContextCard } from '../../src/context/card';
import type { Conversation } from '../../src/context/conversations';
import type { RoutingPolicy } from '../../src/voice/sip/decide';
import { scannerMatcher } from '../../src/voice/sip/scanners';

let sequence = 0;

export function aConversation(
  overrides: Partial<Conversation> = {},
): Conversation {
  sequence += 1;
  return {
    id: `v${String(sequence).padStart(6, '0')}`,
    subject: 'Billing question',
    status: 'open',
    currentChannel: 'chat',
    channels: ['chat'],
    createdAt: '2025-03-01T09:00:00.000Z',
    updatedAt: '2025-03-01T09:00:00.000Z',
    ...overrides,
  };
}

/** A context card as the store returns it, for the pure routing tests. */
export function aCard(
  options: { open?: Conversation[]; preferredAgent?: string } = {},
): ContextCard {
  sequence += 1;
  return {
    customer: {
      id: `c${String(sequence).padStart(6, '0')}`,
      name: 'Ada Lovelace',
      consent: {},
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
      ...(options.preferredAgent === undefined
        ? {}
        : { preferredAgent: options.preferredAgent }),
    },
    identities: [],
    conversations: { open: options.open ?? [], recent: [] },
    timeline: [],
  };
}

export function aPolicy(overrides: Partial<RoutingPolicy> = {}): RoutingPolicy {
  return {
    ivrUri: 'sip:ivr@jambonz.example.com',
    blockedNumbers: new Set(['+14155550199']),
    isScanner: scannerMatcher([]),
    rejectAction: 403,
    ...overrides,
  };
}
