import type { EventInput } from '../../src/context/events';

/**
 * Deterministic fake customers and timelines for the benchmark. A seeded
 * generator makes two runs seed the same data, so their numbers compare.
 */

export type Random = () => number;

/** mulberry32: tiny, fast and good enough to pick fake data. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) {
    throw new Error('pick from an empty list');
  }
  return item;
}

// Area codes of large US cities; with any exchange from 200 to 999 they are
// numbers libphonenumber's full metadata accepts as valid.
const areaCodes = [201, 212, 213, 312, 415, 617, 646, 702, 718, 773, 818, 917];
const subscriberSpace = 8_000_000; // exchanges 200-999, lines 0000-9999

/**
 * The i-th customer's phone in E.164. Customers sharing an area code are
 * spread over its subscriber numbers by a stride coprime with their count,
 * so no two of the first 12 x 8,000,000 customers share a number.
 */
export function phoneOf(index: number): string {
  const area = areaCodes[index % areaCodes.length] ?? 415;
  const slot = Math.floor(index / areaCodes.length);
  const subscriber = 2_000_000 + ((slot * 7919) % subscriberSpace);
  return `+1${area}${subscriber}`;
}

// prettier-ignore
const firstNames = [
  'Ada', 'Amir', 'Beatriz', 'Chen', 'Dmitri', 'Elena', 'Fatima', 'Grace',
  'Hiro', 'Ines', 'Jamal', 'Kofi', 'Lena', 'Marcus', 'Nadia', 'Oscar',
  'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Victor', 'Wen',
];
// prettier-ignore
const lastNames = [
  'Okafor', 'Nguyen', 'Garcia', 'Kowalski', 'Haddad', 'Smith', 'Rossi',
  'Tanaka', 'Müller', 'Silva', 'Johnson', 'Petrov', 'Kim', 'Dubois',
  'Andersen', 'Mensah', 'Patel', 'Cohen', 'Lopez', 'Brown',
];

export function customerOf(index: number, random: Random) {
  const first = pick(random, firstNames);
  const last = pick(random, lastNames);
  const mailbox = `${first}.${last}.${index}`.normalize('NFD');
  return {
    name: `${first} ${last}`,
    identities: [
      { kind: 'phone', value: phoneOf(index), verification: 'carrier' },
      {
        kind: 'email',
        value: `${mailbox.replace(/[^A-Za-z0-9.]/g, '')}@example.com`,
        verification: 'otp',
      },
    ],
  } as const;
}

const subjects = [
  'Order arrived damaged',
  'Billing question about last invoice',
  'Cannot log in to the app',
  'Change delivery address',
  'Refund still pending',
  'Upgrade to the premium plan',
  'Router keeps dropping the connection',
];

export function conversationOf(random: Random) {
  return {
    subject: pick(random, subjects),
    channel: pick(random, ['voice', 'chat', 'sms', 'email'] as const),
  };
}

const inbound = [
  'Hi, my order has not arrived yet and the tracking page shows no update.',
  'The package came today but the box was crushed and one item is broken.',
  'Can you tell me why I was charged twice on my card this month?',
  'I moved last week, please send the replacement to my new address.',
  'Still waiting on the refund you promised, it has been ten days now.',
  'The app says my password is wrong but I reset it an hour ago.',
  'Is there a way to pause my subscription while I am travelling?',
  'Thanks, that worked. One more thing: can I get the invoice as a PDF?',
  'Hello? Is anyone there? I need help today.',
  'Where is my order? It was due on Monday.',
  'I called twice yesterday and was cut off both times; I would like someone ' +
    'to call me back after 5pm.',
  'My card was declined at checkout even though the bank says all is fine, ' +
    'can you see what happened?',
];
const outbound = [
  'Thanks for reaching out! I have opened a ticket and will follow up today.',
  'Sorry about that. A replacement ships tomorrow, no need to return it.',
  'I can see the double charge; the second one is reversed within 3 days.',
  'Your address is updated. Anything else I can help you with?',
  'The refund was issued this morning; your bank may take 2-5 days.',
  'I have sent a reset link to your email, it is valid for 30 minutes.',
  'Happy to help! Could you confirm your zip code?',
  'I have booked a technician for Thursday between 8am and noon; you will ' +
    'get a text with their name the day before.',
];
const notes = [
  'Customer was upset about the delay; offered a 10% voucher, accepted.',
  'Escalated to billing, double charge confirmed by the payment provider.',
  'Prefers SMS over calls during work hours, call back after 6pm.',
];
const ivrNodes = ['welcome', 'language', 'main-menu', 'billing', 'orders'];
const ivrPrompts = [
  'Press 1 for orders, 2 for billing, or stay on the line for an agent.',
  'Please enter or say your order number, followed by the pound key.',
  'For English press 1. Para español oprima 2.',
];

function hex(random: Random, length: number): string {
  let out = '';
  while (out.length < length) {
    out += Math.floor(random() * 0x100000000).toString(16);
  }
  return out.slice(0, length);
}

/** One event of a mix that leans on messaging, as a contact center's does. */
export function eventOf(
  random: Random,
  at: Date,
  conversationId: string | undefined,
): EventInput {
  const common = {
    at: at.toISOString(),
    ...(conversationId === undefined ? {} : { conversationId }),
  };
  const roll = random();
  const direction = random() < 0.6 ? 'inbound' : 'outbound';
  const text = pick(random, direction === 'inbound' ? inbound : outbound);
  if (roll < 0.25) {
    return { ...common, type: 'chat.message', direction, text };
  }
  if (roll < 0.45) {
    return { ...common, type: 'sms.message', direction, text };
  }
  if (roll < 0.6) {
    const subject = pick(random, subjects);
    return { ...common, type: 'email.message', direction, subject, text };
  }
  const callSid = `CA${hex(random, 32)}`;
  if (roll < 0.75) {
    return {
      ...common,
      type: 'ivr.step',
      callSid,
      node: pick(random, ivrNodes),
      prompt: pick(random, ivrPrompts),
    };
  }
  if (roll < 0.83) {
    return { ...common, type: 'call.started', direction, callSid };
  }
  if (roll < 0.91) {
    const durationSeconds = Math.floor(random() * 900);
    return { ...common, type: 'call.ended', callSid, durationSeconds };
  }
  if (roll < 0.96) {
    const agentId = `agent-${Math.floor(random() * 40)}`;
    return {
      ...common,
      type: 'agent.note',
      agentId,
      text: pick(random, notes),
    };
  }
  return { ...common, type: 'callback', status: 'answered' };
}
