import { z } from 'zod';
import { contactKinds, type Contact, type Offer } from '../types';

/**
 * What the Lua scripts return, read back with zod: hash fields arrive as
 * strings, and cjson writes an empty list as `{}`.
 */

function luaList<T extends z.ZodType>(item: T) {
  return z
    .union([z.array(item), z.strictObject({})])
    .transform((value): z.output<T>[] => (Array.isArray(value) ? value : []));
}

/** A JSON list of strings as stored in a hash field; anything else is []. */
export function jsonList(raw: string | undefined): string[] {
  if (!raw) {
    return [];
  }
  const parsed: unknown = JSON.parse(raw);
  return Array.isArray(parsed)
    ? parsed.filter((item): item is string => typeof item === 'string')
    : [];
}

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value ? value : undefined));

/** `{acd}:contact:<id>` as a hash. */
export const storedContact = z.object({
  id: z.string(),
  kind: z.enum(contactKinds),
  queue: z.string(),
  skills: z.string().transform(jsonList),
  priority: z.coerce.number(),
  customerId: optionalText,
  conversationId: optionalText,
  preferredAgentId: optionalText,
  callSid: optionalText,
  enqueuedAt: z.coerce.number(),
  state: z.string().optional(),
  agentId: optionalText,
});

export function toContact(stored: z.output<typeof storedContact>): Contact {
  const contact: Contact = {
    id: stored.id,
    kind: stored.kind,
    queue: stored.queue,
    skills: stored.skills,
    priority: stored.priority,
    enqueuedAt: stored.enqueuedAt,
  };
  for (const field of [
    'customerId',
    'conversationId',
    'preferredAgentId',
    'callSid',
  ] as const) {
    const value = stored[field];
    if (value !== undefined) {
      contact[field] = value;
    }
  }
  return contact;
}

const offerView = z
  .object({
    offerId: z.string(),
    agentId: z.string(),
    reason: z.enum(['preferred-agent', 'longest-idle', 'only-available']),
    expiresAt: z.coerce.number(),
    // A contact that vanished under its offer comes back as `{}`.
    contact: storedContact.optional().catch(undefined),
  })
  .transform((view): Offer | undefined =>
    view.contact
      ? {
          offerId: view.offerId,
          agentId: view.agentId,
          reason: view.reason,
          expiresAt: view.expiresAt,
          contact: toContact(view.contact),
        }
      : undefined,
  );

export const offerGoneReasons = [
  'accepted',
  'declined',
  'expired',
  'withdrawn',
] as const;
export type OfferGoneReason = (typeof offerGoneReasons)[number];

const counter = z.coerce.number().catch(0);

export const scriptResult = z.object({
  offers: luaList(offerView),
  gone: luaList(z.object({ offer: offerView, why: z.enum(offerGoneReasons) })),
  agents: z.record(z.string(), z.string()),
  seq: z.number().optional(),
  queues: luaList(z.string()),
  error: z.enum(['queue', 'offer', 'agent', 'state', 'contact']).optional(),
  existing: z.string().optional(),
  contact: storedContact.optional(),
  offer: offerView.optional(),
  position: z.number().optional(),
  ahtMs: z.number().optional(),
  staffed: z.number().optional(),
  waiting: z.number().optional(),
  oldestQueuedAt: z.number().optional(),
  day: z.record(z.string(), counter).optional(),
  agentsAvailable: z.number().optional(),
  agentsStaffed: z.number().optional(),
});
export type ScriptResult = z.output<typeof scriptResult>;

export function parseScriptResult(json: string): ScriptResult {
  return scriptResult.parse(JSON.parse(json));
}
