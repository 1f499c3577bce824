import type { ContextStore } from '../../src/context/store';
import type { Logger } from '../../src/log';
import {
  conversationOf,
  customerOf,
  eventOf,
  seededRandom,
  type Random,
} from './fixtures';
import { forEachLimited } from './load';

/**
 * Seeds through the store's own functions, so the data has exactly the keys,
 * encodings and side effects production writes, the ready-made context card
 * included. A customer's history goes in as one store.appendEvents batch,
 * as an import would: the events are appended one by one in Redis, and the
 * card is rebuilt once, not after every event.
 */

export interface SeededCustomer {
  id: string;
  /** E.164, as a SIP edge would hand it to the card lookup. */
  phone: string;
  conversationIds: string[];
}

export interface SeedPlan {
  customers: number;
  eventsPerCustomer: number;
  /** Customers seeded at once; each is a handful of sequential round trips. */
  customerConcurrency: number;
  /** Timelines appended at once; each sends all its events together. */
  timelineConcurrency: number;
}

const dayMs = 24 * 60 * 60 * 1000;
const historyMs = 180 * dayMs;
const progressEvery = 10_000;

export async function seedCustomers(
  store: ContextStore,
  plan: SeedPlan,
  logger: Logger,
  signal: AbortSignal,
): Promise<SeededCustomer[]> {
  const seeded: SeededCustomer[] = new Array<SeededCustomer>(plan.customers);
  await forEachLimited(
    plan.customers,
    plan.customerConcurrency,
    async (index) => {
      const random = seededRandom(index + 1);
      const input = customerOf(index, random);
      const { customer } = await store.upsertCustomer(input);
      const conversationIds: string[] = [];
      const conversations = random() < 0.5 ? 1 : 2;
      for (let i = 0; i < conversations; i++) {
        const conversation = await store.openConversation(
          customer.id,
          conversationOf(random),
        );
        conversationIds.push(conversation.id);
      }
      seeded[index] = {
        id: customer.id,
        phone: input.identities[0].value,
        conversationIds,
      };
      if ((index + 1) % progressEvery === 0) {
        logger.info({ customers: index + 1 }, 'seeding customers');
      }
    },
    signal,
  );
  return seeded;
}

/**
 * Appends each customer's history oldest first, spread over six months. The
 * latest ten events per conversation belong to it, the older ones to none,
 * as a journey's messages do once the journey is long over.
 */
export async function seedTimelines(
  store: ContextStore,
  customers: SeededCustomer[],
  plan: SeedPlan,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const now = Date.now();
  await forEachLimited(
    customers.length,
    plan.timelineConcurrency,
    async (index) => {
      const customer = customers[index];
      if (customer === undefined) {
        throw new Error(`customer ${index} was not seeded`);
      }
      const random = seededRandom(1_000_003 * (index + 1));
      await store.appendEvents(
        customer.id,
        timeline(customer, plan.eventsPerCustomer, now, random),
      );
      if ((index + 1) % progressEvery === 0) {
        logger.info({ customers: index + 1 }, 'seeding timelines');
      }
    },
    signal,
  );
}

function timeline(
  customer: SeededCustomer,
  count: number,
  now: number,
  random: Random,
) {
  const stepMs = historyMs / count;
  const inConversations = 10 * customer.conversationIds.length;
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(now - historyMs + i * stepMs + random() * stepMs);
    const recent = i - (count - inConversations);
    const conversationId =
      recent >= 0
        ? customer.conversationIds[Math.floor(recent / 10)]
        : undefined;
    return eventOf(random, at, conversationId);
  });
}
