import YAML from 'yaml';
import { BridgelineError } from '../errors';
import { flowSchema, type Flow } from './flow';
import { semanticProblems } from './flow-checks';
import { schemaProblems } from './schema-problems';

/**
 * Flow validation: every problem at once, each with the JSON pointer (RFC
 * 6901) of the spot to fix, so an admin's editor can jump there and a save
 * or publish names all of them in one answer.
 */

export interface FlowProblem {
  /** A JSON pointer into the flow, e.g. `/nodes/main-menu/choices/0/next`. */
  path: string;
  message: string;
}

export interface ValidateOptions {
  /** When given, a transfer node must dial one of these. */
  transferAllowlist?: readonly string[];
  /** When given, a subflow node must name a flow for which this is true. */
  flowExists?: (flowId: string) => boolean;
  /** When given, the flow's own id must be this: the id it is saved as. */
  flowId?: string;
}

export type FlowValidation =
  { ok: true; flow: Flow } | { ok: false; problems: FlowProblem[] };

/**
 * Reads a flow's source: YAML, which JSON also is. A syntax error throws
 * BL_ERR_FLOW_INVALID whose problems have the path "" and name the line
 * and column; duplicate keys (two nodes with one id) are syntax errors.
 */
export function parseFlowText(text: string): unknown {
  const read = readFlowText(text);
  if (!read.ok) {
    throw flowInvalid(read.problems);
  }
  return read.raw;
}

/** Schema problems first, then what the schema cannot see; see flow-checks. */
export function validateFlow(
  raw: unknown,
  options: ValidateOptions = {},
): FlowValidation {
  if (raw === null || raw === undefined) {
    return {
      ok: false,
      problems: [
        {
          path: '',
          message:
            'the flow is empty; it needs at least id, name, start and nodes',
        },
      ],
    };
  }
  const parsed = flowSchema.safeParse(raw);
  const problems = parsed.success
    ? []
    : schemaProblems(flowSchema, parsed.error.issues, raw);
  // A spot the schema already faulted gets one problem, not two.
  const semantic = semanticProblems(raw, options).filter(
    (problem) => !problems.some((known) => covers(known.path, problem.path)),
  );
  problems.push(...semantic);
  return parsed.success && problems.length === 0
    ? { ok: true, flow: parsed.data }
    : { ok: false, problems };
}

/** parseFlowText then validateFlow, answering problems instead of throwing. */
export function checkFlowText(
  text: string,
  options: ValidateOptions = {},
): FlowValidation {
  const read = readFlowText(text);
  return read.ok ? validateFlow(read.raw, options) : read;
}

/** The 422 an API answers for a flow with problems. */
export function flowInvalid(
  problems: readonly FlowProblem[],
  message?: string,
): BridgelineError {
  return new BridgelineError('BL_ERR_FLOW_INVALID', {
    ...(message === undefined ? {} : { message }),
    // One error body across the API: a flow problem's pointer is its field.
    problems: problems.map((problem) => ({
      field: problem.path,
      message: problem.message,
    })),
  });
}

function readFlowText(
  text: string,
): { ok: true; raw: unknown } | { ok: false; problems: FlowProblem[] } {
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => ({
        path: '',
        // The first line reads "<what> at line L, column C:"; the rest is
        // a snippet of the source, which an editor shows better itself.
        message: `YAML syntax error: ${firstLine(error.message)}`,
      })),
    };
  }
  try {
    return { ok: true, raw: doc.toJS({ maxAliasCount: 100 }) };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, problems: [{ path: '', message: reason }] };
  }
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/:$/, '');
}

function covers(outer: string, inner: string): boolean {
  return inner === outer || inner.startsWith(`${outer}/`);
}
