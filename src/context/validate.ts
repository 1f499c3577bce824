import type { z } from 'zod';
import { BridgelineError } from '../errors';

/**
 * Parses input against a schema, or throws one error that names every
 * offending field, so a client fixes its request in one go.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  raw: unknown,
): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) {
    return result.data;
  }
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map(String);
    // A key that must not be there is named by the key, not by its parent.
    if (issue.code === 'unrecognized_keys') {
      path.push(issue.keys[0] ?? '');
    }
    return { field: path.join('.') || '(body)', message: issue.message };
  });
  throw new BridgelineError('BL_ERR_INVALID_INPUT', {
    message: problems
      .map((problem) => `${problem.field}: ${problem.message}`)
      .join('; '),
    problems,
  });
}

/** The same error with its fields under `prefix`, as `events.2.text`. */
export function prefixFields(err: unknown, prefix: string): unknown {
  if (!(err instanceof BridgelineError) || err.problems.length === 0) {
    return err;
  }
  const problems = err.problems.map((problem) => ({
    ...problem,
    field: `${prefix}.${problem.field}`,
  }));
  return new BridgelineError(err.code, {
    message: problems.map((p) => `${p.field}: ${p.message}`).join('; '),
    problems,
  });
}
