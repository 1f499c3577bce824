import { randomBytes } from 'node:crypto';

/**
 * Redis key names. Every key that belongs to one customer carries the
 * customer id in braces, a Redis Cluster hash tag: all of a customer's keys
 * then live in one slot, so a context card is one pipeline or one script, and
 * writes that touch several of them can be atomic.
 *
 * Identity keys are the exception by design: they are looked up before the
 * customer is known, so they spread over the cluster like any other key.
 */

export type IdentityKind = 'phone' | 'email' | 'chat';
export const identityKinds: readonly IdentityKind[] = [
  'phone',
  'email',
  'chat',
];

/** Ids never contain braces, or they would break the hash tag. */
export const customerIdPattern = /^[A-Za-z0-9_-]{1,64}$/;
export const conversationIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export const keys = {
  identity: (kind: IdentityKind, value: string) => `identity:${kind}:${value}`,
  customer: (customerId: string) => `customer:{${customerId}}`,
  identities: (customerId: string) => `identities:{${customerId}}`,
  timeline: (customerId: string) => `timeline:{${customerId}}`,
  conversations: (customerId: string) => `conversations:{${customerId}}`,
  /** The context card, ready to read; see card-lua.ts. */
  card: (customerId: string) => `card:{${customerId}}`,
  conversation: (customerId: string, conversationId: string) =>
    `conversation:{${customerId}}:${conversationId}`,
  /** The prefix the card script appends conversation ids to. */
  conversationPrefix: (customerId: string) => `conversation:{${customerId}}:`,
  /** Matches every key in the customer's slot, whatever module wrote it. */
  allOfCustomer: (customerId: string) => `*{${customerId}}*`,
};

export function newCustomerId(): string {
  return `c${randomBytes(9).toString('base64url')}`;
}

export function newConversationId(): string {
  return `v${randomBytes(9).toString('base64url')}`;
}
