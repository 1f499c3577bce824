import { z } from 'zod';
import { sipUserPattern } from '../voice/sip/keys';
import { minPasswordLength } from './passwords';
import { roles } from './types';

/**
 * What an admin may send to create or change an account, and how an
 * account is kept in its Redis hash. The API's 400s name the field from
 * these schemas (src/context/validate.ts parseInput).
 */

export const usernamePattern = /^[a-z0-9._-]{3,64}$/;

const username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(usernamePattern, '3-64 of a-z, 0-9, dot, dash, underscore');

const password = z
  .string()
  .min(minPasswordLength, `at least ${minPasswordLength} characters`)
  .max(1024);

const names = z
  .array(z.string().trim().min(1).max(64))
  .max(100)
  .transform((list) => [...new Set(list)]);

const sipUser = z
  .string()
  .trim()
  .regex(sipUserPattern, '1-64 of letters, digits and . _ ~ + -');

export const newAccountInput = z.strictObject({
  username,
  displayName: z.string().trim().min(1).max(128),
  role: z.enum(roles),
  password,
  skills: names.default([]),
  queues: names.default([]),
  // The ACD takes at most 20 chats at once (src/agents/acd/contact-input.ts).
  maxChats: z.number().int().min(0).max(20).default(3),
  sipUser: sipUser.optional(),
  sipPassword: password.optional(),
});
export type NewAccountInput = z.input<typeof newAccountInput>;

export const accountPatch = z.strictObject({
  displayName: z.string().trim().min(1).max(128).optional(),
  role: z.enum(roles).optional(),
  skills: names.optional(),
  queues: names.optional(),
  maxChats: z.number().int().min(0).max(20).optional(),
  disabled: z.boolean().optional(),
  sipUser: sipUser.optional(),
  sipPassword: password.optional(),
});
export type AccountPatch = z.input<typeof accountPatch>;

export const passwordInput = z.strictObject({ password });

export const loginInput = z.strictObject({
  // Not held to the username pattern: a malformed name is an unknown one,
  // and gets the same answer as a wrong password.
  username: z.string().trim().toLowerCase().min(1).max(256),
  password: z.string().min(1).max(1024),
});

const jsonList = z
  .string()
  .transform((text, ctx) => {
    try {
      return z.array(z.string()).parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a JSON list' });
      return z.NEVER;
    }
  })
  .default([]);

/** The account hash as Redis holds it. */
export const storedAccount = z.object({
  id: z.string().min(1),
  username: z.string().min(1),
  displayName: z.string(),
  role: z.enum(roles),
  skills: jsonList,
  queues: jsonList,
  maxChats: z.coerce.number().int().default(3),
  sipUser: z.string().min(1),
  disabled: z.enum(['true', 'false']).transform((text) => text === 'true'),
  createdAt: z.string(),
  updatedAt: z.string(),
  passwordHash: z.string().min(1),
});
