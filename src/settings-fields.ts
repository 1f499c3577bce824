import { z } from 'zod';

/**
 * The shapes environment variables take, shared by config.ts and the
 * settings modules beside the parts they configure, so every variable of
 * one shape is read, and refused, alike.
 */

/** A whole number within bounds. */
export const whole = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** A comma-separated list whose every entry passes `check`; `what` names them. */
export const commaList = (check: (entry: string) => boolean, what: string) =>
  z
    .string()
    .trim()
    .transform((text, ctx) => {
      const entries = text
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
      const bad = entries.filter((entry) => !check(entry));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `must list ${what}; not ${bad.join(', ')}`,
        });
        return z.NEVER;
      }
      return entries;
    });
