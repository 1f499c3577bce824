import type {
  ContextStore,
  ContextStoreOptions,
} from '../../src/context/store';
import type { CustomerInput } from '../../src/context/customers';

let sequence = 0;

/** A valid, unique North American number: +1 415 2xx xxxx. */
export function aPhone(): string {
  sequence += 1;
  return `+1415${String(2000000 + sequence).padStart(7, '0')}`;
}

export function anEmail(): string {
  sequence += 1;
  return `customer${sequence}@example.com`;
}

export function aChatId(): string {
  sequence += 1;
  return `visitor-${String(sequence).padStart(6, '0')}`;
}

export const storeOptions: ContextStoreOptions = {
  phoneDefaultRegion: 'US',
  timelineMaxAgeMs: 30 * 24 * 60 * 60 * 1000,
  card: { events: 20, conversations: 10 },
};

/** A customer with a carrier-verified phone and a self-claimed email. */
export async function aCustomer(
  store: ContextStore,
  overrides: Partial<CustomerInput> = {},
) {
  const phone = aPhone();
  const email = anEmail();
  const { customer } = await store.upsertCustomer({
    name: 'Ada Lovelace',
    language: 'en-GB',
    identities: [
      { kind: 'phone', value: phone, verification: 'carrier' },
      { kind: 'email', value: email },
    ],
    ...overrides,
  });
  return { customer, phone, email };
}
