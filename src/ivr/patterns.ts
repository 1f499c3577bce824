import safeRegex from 'safe-regex2';

/**
 * The regular expressions admins write into flows (a collect's `pattern`,
 * a branch's `matches`) and callers' input runs against. A pattern must
 * match the whole value. One with a repetition inside a repetition, as in
 * `(a+)+`, can backtrack for a time exponential in the input and would
 * hold up every call on the instance: validation refuses it, and a flow
 * stored before this rule existed gets no match rather than a stall.
 */

/** What is wrong with the pattern for an admin to read, or undefined. */
export function patternProblem(pattern: string): string | undefined {
  try {
    new RegExp(anchored(pattern), 'u');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return `not a valid regular expression: ${reason}`;
  }
  if (!safeRegex(pattern)) {
    return (
      'repeats a repeated part (as in (a+)+) or has more than 25 repetitions, ' +
      'which can take exponential time on some input; ' +
      'write the repetition once, as in a+ or [0-9]{4,8}'
    );
  }
  return undefined;
}

// Flows hold few distinct patterns; the cap only keeps a flood of edited
// versions from growing the map for good.
const compiled = new Map<string, RegExp | null>();
const maxCompiled = 1000;

/** Whether the whole value matches; an unusable pattern matches nothing. */
export function fullMatch(pattern: string, value: string): boolean {
  let regExp = compiled.get(pattern);
  if (regExp === undefined) {
    regExp =
      patternProblem(pattern) === undefined
        ? new RegExp(anchored(pattern), 'u')
        : null;
    if (compiled.size >= maxCompiled) {
      compiled.clear();
    }
    compiled.set(pattern, regExp);
  }
  return regExp !== null && regExp.test(value);
}

function anchored(pattern: string): string {
  return `^(?:${pattern})$`;
}
