import { z } from 'zod';
import { channels } from './events';
import { identityKinds, customerIdPattern } from './keys';
import { verificationLevels } from './identity';

/** What is known about a customer beyond how to reach them. */
export interface CustomerProfile {
  id: string;
  name?: string;
  /** BCP 47 tag, e.g. en-US: the IVR speaks it and agents see it. */
  language?: string;
  tier?: string;
  preferredChannel?: Channel;
  /** The agent the customer last worked with and is routed back to. */
  preferredAgent?: string;
  /** Per channel: 'granted', or 'denied' once they opted out. */
  consent: Partial<Record<ConsentTopic, ConsentState>>;
  createdAt: string;
  updatedAt: string;
}

type Channel = Exclude<(typeof channels)[number], 'internal'>;
const reachable = channels.filter(
  (channel): channel is Channel => channel !== 'internal',
);

export const consentTopics = [...reachable, 'marketing'] as const;
export type ConsentTopic = (typeof consentTopics)[number];
export type ConsentState = 'granted' | 'denied';

const identityInput = z.strictObject({
  kind: z.enum(identityKinds),
  value: z.string().min(1).max(320),
  verification: z.enum(verificationLevels).default('self_claimed'),
  source: z
    .string()
    .regex(/^[a-z0-9._-]{1,32}$/, 'a short lower-case label such as api')
    .default('api'),
});

export type IdentityInput = z.infer<typeof identityInput>;

const clearable = (schema: z.ZodString) => schema.nullable().optional();

export const customerInput = z.strictObject({
  id: z
    .string()
    .regex(customerIdPattern, 'letters, digits, - and _ only, at most 64')
    .optional(),
  name: clearable(z.string().trim().min(1).max(200)),
  language: clearable(
    z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 tag'),
  ),
  tier: clearable(z.string().trim().min(1).max(32)),
  preferredChannel: z.enum(reachable).nullable().optional(),
  preferredAgent: clearable(z.string().trim().min(1).max(128)),
  consent: z
    .partialRecord(z.enum(consentTopics), z.enum(['granted', 'denied']))
    .optional(),
  identities: z.array(identityInput).max(20).default([]),
});

export type CustomerInput = z.input<typeof customerInput>;
export type ParsedCustomerInput = z.output<typeof customerInput>;

const profileFields = [
  'name',
  'language',
  'tier',
  'preferredChannel',
  'preferredAgent',
] as const;

/**
 * The hash writes for an update: fields given a value are set, fields given
 * null are removed, absent fields are left as they are.
 */
export function profileChanges(
  input: ParsedCustomerInput,
  current: Record<string, string>,
  nowIso: string,
): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = { updatedAt: nowIso };
  const remove: string[] = [];
  for (const field of profileFields) {
    const value = input[field];
    if (value === null) {
      remove.push(field);
    } else if (value !== undefined) {
      set[field] = value;
    }
  }
  if (input.consent) {
    const consent = { ...parseConsent(current.consent), ...input.consent };
    set.consent = JSON.stringify(consent);
  }
  if (current.createdAt === undefined) {
    set.createdAt = nowIso;
  }
  return { set, remove };
}

export function decodeProfile(
  id: string,
  hash: Record<string, string>,
): CustomerProfile {
  const profile: CustomerProfile = {
    id,
    consent: parseConsent(hash.consent),
    createdAt: hash.createdAt ?? '',
    updatedAt: hash.updatedAt ?? '',
  };
  for (const field of profileFields) {
    const value = hash[field];
    if (value !== undefined) {
      (profile as unknown as Record<string, string>)[field] = value;
    }
  }
  return profile;
}

function parseConsent(json: string | undefined): CustomerProfile['consent'] {
  return json ? (JSON.parse(json) as CustomerProfile['consent']) : {};
}
