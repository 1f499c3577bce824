import { z } from 'zod';
import type { FlowProblem } from './validate';

/**
 * Turns zod's issues into problems an admin can act on: each names the spot
 * in the flow as a JSON pointer (RFC 6901) and says what would be accepted
 * there, in the flow's own words rather than zod's.
 */

type Segment = PropertyKey;

/** RFC 6901 section 3: `~` is written `~0` and `/` is written `~1`. */
export function pointer(segments: readonly Segment[]): string {
  return segments
    .map((segment) => {
      const text = String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
      return `/${text}`;
    })
    .join('');
}

export function schemaProblems(
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
): FlowProblem[] {
  return issues.flatMap((issue) => describe(schema, issue, raw));
}

function describe(
  schema: z.ZodType,
  issue: z.core.$ZodIssue,
  raw: unknown,
): FlowProblem[] {
  const at = (message: string, extra: Segment[] = []): FlowProblem => ({
    path: pointer([...issue.path, ...extra]),
    message,
  });
  const value = valueAt(raw, issue.path);

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = objectKeysAt(schema, issue.path, raw);
      const hint = allowed ? `; ${whatTakes(issue.path, raw)}: ${allowed}` : '';
      return issue.keys.map((key) => at(`unknown key "${key}"${hint}`, [key]));
    }
    case 'invalid_union': {
      // The only union in a flow is the node, told apart by its type.
      if (issue.discriminator === 'type' && 'options' in issue) {
        const types = (issue.options ?? []).map(String).join(', ');
        return [
          at(
            value === undefined
              ? `every node needs a type: one of ${types}`
              : `unknown node type ${JSON.stringify(value)}; use one of ${types}`,
          ),
        ];
      }
      return [at(issue.message)];
    }
    case 'invalid_key': {
      const key = String(issue.path[issue.path.length - 1]);
      const reason = issue.issues[0]?.message ?? 'not an allowed name';
      return [at(`"${key}" is not an allowed name: ${reason}`)];
    }
    case 'invalid_type':
      return [
        at(
          value === undefined
            ? `missing: ${lastKey(issue.path)} is required here`
            : `must be ${typeName(issue.expected)}`,
        ),
      ];
    case 'too_small':
      return [at(sizeMessage('at least', issue.origin, issue.minimum))];
    case 'too_big':
      return [at(sizeMessage('at most', issue.origin, issue.maximum))];
    case 'invalid_value':
      return [
        at(`must be one of ${issue.values.map((v) => String(v)).join(', ')}`),
      ];
    case 'invalid_format':
      // flow.ts words its own formats; zod's default names the pattern.
      return [
        at(
          issue.message.startsWith('Invalid')
            ? `has the wrong form; it must match ${issue.pattern ?? issue.format}`
            : issue.message,
        ),
      ];
    default:
      return [at(issue.message)];
  }
}

function lastKey(path: readonly Segment[]): string {
  return String(path[path.length - 1] ?? 'value');
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    string: 'text',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    object: 'a map of keys and values',
    record: 'a map of keys and values',
    array: 'a list',
  };
  return names[expected] ?? expected;
}

function sizeMessage(
  bound: 'at least' | 'at most',
  origin: string,
  limit: number | bigint,
): string {
  const n = Number(limit);
  switch (origin) {
    case 'string':
      return n === 1 && bound === 'at least'
        ? 'must not be empty'
        : `must be ${bound} ${n} characters long`;
    case 'array':
    case 'set':
      return `must have ${bound} ${n} item${n === 1 ? '' : 's'}`;
    default:
      return `must be ${bound} ${n}`;
  }
}

function valueAt(raw: unknown, path: readonly Segment[]): unknown {
  let current = raw;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) {
      return undefined;
    }
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** "a say node takes", "a flow takes", or "this takes". */
function whatTakes(path: readonly Segment[], raw: unknown): string {
  if (path.length === 0) {
    return 'a flow takes';
  }
  if (path.length === 2 && path[0] === 'nodes') {
    const type = valueAt(raw, [...path, 'type']);
    return typeof type === 'string' ? `a ${type} node takes` : 'a node takes';
  }
  return 'allowed here';
}

/**
 * The keys the object schema at `path` accepts, following the raw value to
 * choose between node types. Undefined when the walk cannot tell.
 */
function objectKeysAt(
  schema: z.ZodType,
  path: readonly Segment[],
  raw: unknown,
): string | undefined {
  let current: z.core.$ZodType = schema;
  let rawHere = raw;
  for (let i = 0; ; i += 1) {
    current = unwrap(current, rawHere);
    if (i === path.length) {
      return current instanceof z.ZodObject
        ? Object.keys(current.shape).join(', ')
        : undefined;
    }
    const segment = path[i] as Segment;
    rawHere = valueAt(rawHere, [segment]);
    if (current instanceof z.ZodObject) {
      const next = (current.shape as Record<PropertyKey, z.core.$ZodType>)[
        segment
      ];
      if (!next) {
        return undefined;
      }
      current = next;
    } else if (current instanceof z.ZodArray) {
      current = current.element;
    } else if (current instanceof z.ZodRecord) {
      current = current.valueType;
    } else {
      return undefined;
    }
  }
}

/** Looks through optional, default, lazy and node-type wrappers. */
function unwrap(schema: z.core.$ZodType, raw: unknown): z.core.$ZodType {
  let current = schema;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodLazy
    ) {
      current = current.unwrap();
    } else if (current instanceof z.ZodDiscriminatedUnion) {
      const type = valueAt(raw, ['type']);
      const match = current.options.find(
        (option) =>
          option instanceof z.ZodObject &&
          option.shape.type instanceof z.ZodLiteral &&
          option.shape.type.values.has(type as z.core.util.Literal),
      );
      if (!match) {
        return current;
      }
      current = match;
    } else {
      return current;
    }
  }
}
