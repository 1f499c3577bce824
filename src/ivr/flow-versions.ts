import { createHash } from 'node:crypto';
import { z } from 'zod';
import { flowSchema, type Flow } from './flow';
import type { FlowProblem } from './validate';

/**
 * The records the flow store keeps, how they are encoded in Redis, and
 * their checksums. A draft's checksum covers what the admin wrote (source
 * and scenarios), so any edit changes it; a version's checksum covers the
 * flow it runs, so two versions with the same behaviour share one.
 */

export interface FlowDraft {
  flowId: string;
  /** The flow as the admin wrote it: YAML or JSON. */
  source: string;
  /** The scenarios file beside the flow, when there is one. */
  scenarios?: string;
  /** Send it back as expectedChecksum to save or publish over this draft. */
  checksum: string;
  valid: boolean;
  problems: FlowProblem[];
  /** The flow's name, once the draft is valid. */
  name?: string;
  savedAt: string;
  savedBy: string;
}

export interface FlowVersionInfo {
  flowId: string;
  version: number;
  /** sha256 of the flow's canonical JSON, defaults filled in. */
  checksum: string;
  /** The draft checksum it was published from. */
  draftChecksum: string;
  author: string;
  createdAt: string;
  note: string;
}

export interface FlowVersion extends FlowVersionInfo {
  source: string;
  scenarios?: string;
  flow: Flow;
}

export interface AliasMove {
  alias: string;
  from: number | null;
  to: number;
  by: string;
  at: string;
  action: 'publish' | 'rollback';
}

/** JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'object' && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : inner,
  );
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function draftChecksum(source: string, scenarios?: string): string {
  return sha256(canonicalJson({ source, scenarios: scenarios ?? null }));
}

export function flowChecksum(flow: Flow): string {
  return sha256(canonicalJson(flow));
}

export function encodeDraft(draft: FlowDraft): string[] {
  const fields: Record<string, string> = {
    source: draft.source,
    checksum: draft.checksum,
    valid: draft.valid ? '1' : '0',
    problems: JSON.stringify(draft.problems),
    savedAt: draft.savedAt,
    savedBy: draft.savedBy,
    ...(draft.scenarios === undefined ? {} : { scenarios: draft.scenarios }),
    ...(draft.name === undefined ? {} : { name: draft.name }),
  };
  return Object.entries(fields).flat();
}

const problemList = z.array(
  z.object({ path: z.string(), message: z.string() }),
);

export function decodeDraft(
  flowId: string,
  hash: Record<string, string>,
): FlowDraft | undefined {
  if (hash.checksum === undefined || hash.source === undefined) {
    return undefined;
  }
  return {
    flowId,
    source: hash.source,
    ...(hash.scenarios === undefined ? {} : { scenarios: hash.scenarios }),
    checksum: hash.checksum,
    valid: hash.valid === '1',
    problems: problemList.parse(JSON.parse(hash.problems ?? '[]')),
    ...(hash.name === undefined ? {} : { name: hash.name }),
    savedAt: hash.savedAt ?? '',
    savedBy: hash.savedBy ?? '',
  };
}

const storedVersion = z.object({
  checksum: z.string(),
  draftChecksum: z.string(),
  author: z.string(),
  createdAt: z.string(),
  note: z.string(),
  source: z.string(),
  scenarios: z.string().optional(),
  flow: z.unknown(),
});

/** The JSON kept in the versions hash; the version number is its field. */
export function encodeVersion(
  record: Omit<FlowVersion, 'flowId' | 'version'>,
): string {
  return JSON.stringify(record);
}

export function decodeVersionInfo(
  flowId: string,
  version: number,
  json: string,
): FlowVersionInfo {
  const record = storedVersion.parse(JSON.parse(json));
  return {
    flowId,
    version,
    checksum: record.checksum,
    draftChecksum: record.draftChecksum,
    author: record.author,
    createdAt: record.createdAt,
    note: record.note,
  };
}

/**
 * A published version with its flow. The flow was valid when published;
 * parsing it again types it, and fails loudly should flow.ts ever change
 * in a way an old version no longer fits.
 */
export function decodeVersion(
  flowId: string,
  version: number,
  json: string,
): FlowVersion {
  const record = storedVersion.parse(JSON.parse(json));
  return {
    ...decodeVersionInfo(flowId, version, json),
    source: record.source,
    ...(record.scenarios === undefined ? {} : { scenarios: record.scenarios }),
    flow: flowSchema.parse(record.flow),
  };
}

const aliasMove = z.object({
  alias: z.string(),
  from: z.number().nullable(),
  to: z.number(),
  by: z.string(),
  at: z.string(),
  action: z.enum(['publish', 'rollback']),
});

export function decodeMove(json: string): AliasMove {
  return aliasMove.parse(JSON.parse(json));
}
