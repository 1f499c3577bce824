import type { FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { AcdGuards } from '../../src/agents/acd-routes';
import { Acd, type AcdOptions } from '../../src/agents/acd';
import type { ContactInput } from '../../src/agents/acd';
import type { OfferGoneReason } from '../../src/agents/acd';
import {
  roleAtLeast,
  roles,
  type Offer,
  type Principal,
  type Role,
} from '../../src/agents/types';
import { BridgelineError } from '../../src/errors';
import { silentLogger, startTestRedis, type TestRedis } from './redis';

/** A clock the test moves by hand: offers and wrap-ups run out on cue. */
export class ManualClock {
  constructor(public ms = Date.UTC(2026, 11, 4, 9, 0, 0)) {}

  now(): number {
    return this.ms;
  }

  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** Hooks that remember what the ACD told the desktop. */
export class RecordingHooks {
  readonly offers: Offer[] = [];
  readonly gone: { offer: Offer; why: OfferGoneReason }[] = [];
  readonly changedQueues: string[] = [];

  onOffer(offer: Offer): Promise<void> {
    this.offers.push(offer);
    return Promise.resolve();
  }

  onOfferGone(offer: Offer, why: OfferGoneReason): Promise<void> {
    this.gone.push({ offer, why });
    return Promise.resolve();
  }

  onQueueChange(queue: string): void {
    this.changedQueues.push(queue);
  }

  offersTo(agentId: string): Offer[] {
    return this.offers.filter((offer) => offer.agentId === agentId);
  }
}

let sequence = 0;

export function aContactId(): string {
  sequence += 1;
  return `contact-${String(sequence).padStart(5, '0')}`;
}

export function anAgentId(): string {
  sequence += 1;
  return `agent-${String(sequence).padStart(5, '0')}`;
}

export function aContact(
  overrides: Partial<ContactInput> = {},
): ContactInput & { id: string } {
  return {
    id: aContactId(),
    kind: 'voice',
    queue: 'support',
    skills: [],
    priority: 5,
    ...overrides,
  };
}

export interface AcdTestbed {
  redis: TestRedis;
  clock: ManualClock;
  hooks: RecordingHooks;
  acd: Acd;
  /** Another ACD instance on its own connection to the same Redis. */
  another(extra?: Partial<AcdOptions>): Acd;
}

/**
 * Registers a test file's redis-server; each test gets an empty database,
 * a fresh clock, hooks and an ACD with a queue "support".
 */
export function acdOnOwnRedis(): AcdTestbed {
  const bed = {} as AcdTestbed;
  const clients: Redis[] = [];
  const instances: Acd[] = [];
  beforeAll(async () => {
    bed.redis = await startTestRedis();
  });
  beforeEach(async () => {
    await bed.redis.client.flushall();
    bed.clock = new ManualClock();
    bed.hooks = new RecordingHooks();
    bed.another = (extra = {}) => {
      const client = new Redis(bed.redis.server.url);
      clients.push(client);
      const acd = new Acd({
        redis: client,
        logger: silentLogger,
        clock: bed.clock,
        hooks: bed.hooks,
        ...extra,
      });
      instances.push(acd);
      return acd;
    };
    bed.acd = bed.another();
    await bed.acd.defineQueue('support', { name: 'Support' });
  });
  afterEach(async () => {
    await Promise.all(instances.splice(0).map((acd) => acd.close()));
    for (const client of clients.splice(0)) {
      client.disconnect();
    }
  });
  afterAll(() => bed.redis.stop());
  return bed;
}

/** Agents on the queue "support", available in the order given. */
export async function availableAgents(
  acd: Acd,
  clock: ManualClock,
  ids: string[],
  extra: { skills?: string[]; maxChats?: number; queues?: string[] } = {},
): Promise<void> {
  for (const id of ids) {
    await acd.upsertAgent({ id, queues: ['support'], ...extra });
    await acd.setState(id, 'available');
    clock.advance(1);
  }
}

/**
 * Stands in for the sessions layer in route tests: the test names who is
 * asking in an `x-test-principal` header, `account:<id>:<role>` or
 * `bootstrap`; no header is a 401, as without a session.
 */
export const headerGuards: AcdGuards = {
  principalOf(request: FastifyRequest): Principal {
    const header = request.headers['x-test-principal'];
    if (header === 'bootstrap') {
      return { kind: 'bootstrap', role: 'admin' };
    }
    const [kind, accountId, role] = String(header ?? '').split(':');
    const known = roles.find((candidate) => candidate === role);
    if (kind !== 'account' || !accountId || !known) {
      throw new BridgelineError('BL_ERR_UNAUTHORIZED');
    }
    return { kind, accountId, role: known, displayName: accountId };
  },
  requireRole(role: Role) {
    // eslint-disable-next-line @typescript-eslint/require-await
    return async (request: FastifyRequest) => {
      if (!roleAtLeast(headerGuards.principalOf(request).role, role)) {
        throw new BridgelineError('BL_ERR_FORBIDDEN');
      }
    };
  },
};

export function asAccount(id: string, role: Role): Record<string, string> {
  return { 'x-test-principal': `account:${id}:${role}` };
}
