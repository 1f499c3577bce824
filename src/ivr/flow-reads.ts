import { BridgelineError } from '../errors';
import type { RedisClient } from '../redis/connect';
import { flowIdPattern } from './flow';
import { flowKeys } from './flow-redis';
import { defaultAlias, type FlowRouter } from './flow-routing';
import {
  decodeDraft,
  decodeMove,
  decodeVersion,
  decodeVersionInfo,
  type AliasMove,
  type FlowDraft,
  type FlowVersion,
  type FlowVersionInfo,
} from './flow-versions';

/**
 * What the admin API shows of the flow store: lists, history, one version.
 * None of it is on a call's path; calls read through flow-routing.
 */

export interface FlowSummary {
  id: string;
  name: string;
  aliases: Record<string, number>;
  versions: number;
  draft: {
    checksum: string;
    valid: boolean;
    problems: number;
    savedAt: string;
    /** True when the latest version was published from this draft. */
    published: boolean;
  } | null;
}

export interface FlowDetails {
  id: string;
  draft: FlowDraft | null;
  aliases: Record<string, number>;
  /** The version `live` points at: what calls get. */
  live: FlowVersionInfo | null;
  versions: FlowVersionInfo[];
  /** The latest alias moves, newest first. */
  moves: AliasMove[];
}

export async function flowExists(
  redis: RedisClient,
  flowId: string,
): Promise<boolean> {
  return (
    flowIdPattern.test(flowId) &&
    (await redis.sismember(flowKeys.index, flowId)) === 1
  );
}

export async function requireFlow(
  redis: RedisClient,
  flowId: string,
): Promise<void> {
  if (!(await flowExists(redis, flowId))) {
    throw new BridgelineError('BL_ERR_FLOW_NOT_FOUND', { field: 'id' });
  }
}

export async function readDraft(
  redis: RedisClient,
  flowId: string,
): Promise<FlowDraft | undefined> {
  if (!flowIdPattern.test(flowId)) {
    return undefined;
  }
  return decodeDraft(flowId, await redis.hgetall(flowKeys.draft(flowId)));
}

export async function readAliases(
  redis: RedisClient,
  flowId: string,
): Promise<Record<string, number>> {
  const all = await redis.hgetall(flowKeys.aliases(flowId));
  return Object.fromEntries(
    Object.entries(all).map(([alias, version]) => [alias, Number(version)]),
  );
}

export async function listVersions(
  redis: RedisClient,
  flowId: string,
): Promise<FlowVersionInfo[]> {
  await requireFlow(redis, flowId);
  const all = await redis.hgetall(flowKeys.versions(flowId));
  return Object.entries(all)
    .map(([version, json]) => decodeVersionInfo(flowId, Number(version), json))
    .sort((a, b) => a.version - b.version);
}

export async function readVersion(
  redis: RedisClient,
  flowId: string,
  version: number,
): Promise<FlowVersion> {
  await requireFlow(redis, flowId);
  const json = Number.isInteger(version)
    ? await redis.hget(flowKeys.versions(flowId), String(version))
    : null;
  if (json === null) {
    throw new BridgelineError('BL_ERR_FLOW_VERSION_NOT_FOUND', {
      field: 'version',
    });
  }
  return decodeVersion(flowId, version, json);
}

export async function flowDetails(
  redis: RedisClient,
  flowId: string,
): Promise<FlowDetails> {
  await requireFlow(redis, flowId);
  const [draft, aliases, versions, moves] = await Promise.all([
    readDraft(redis, flowId),
    readAliases(redis, flowId),
    listVersions(redis, flowId),
    redis.lrange(flowKeys.moves(flowId), 0, 49),
  ]);
  return {
    id: flowId,
    draft: draft ?? null,
    aliases,
    live: versions.find((v) => v.version === aliases[defaultAlias]) ?? null,
    versions,
    moves: moves.map(decodeMove),
  };
}

export async function listFlows(
  redis: RedisClient,
  router: FlowRouter,
): Promise<FlowSummary[]> {
  const ids = (await redis.smembers(flowKeys.index)).sort();
  const summaries = await Promise.all(
    ids.map((id) => summarize(redis, router, id)),
  );
  return summaries.filter((summary) => summary !== undefined);
}

async function summarize(
  redis: RedisClient,
  router: FlowRouter,
  id: string,
): Promise<FlowSummary | undefined> {
  const [draft, aliases, count] = await Promise.all([
    readDraft(redis, id),
    readAliases(redis, id),
    redis.hlen(flowKeys.versions(id)),
  ]);
  if (!draft && count === 0) {
    return undefined;
  }
  const live = aliases[defaultAlias];
  const [latest, liveFlow] = await Promise.all([
    count > 0 ? redis.hget(flowKeys.versions(id), String(count)) : null,
    live === undefined ? undefined : router.getPublished(id, live),
  ]);
  const publishedFrom =
    latest === null
      ? undefined
      : decodeVersionInfo(id, count, latest).draftChecksum;
  return {
    id,
    name: liveFlow?.name ?? draft?.name ?? id,
    aliases,
    versions: count,
    draft: draft
      ? {
          checksum: draft.checksum,
          valid: draft.valid,
          problems: draft.problems.length,
          savedAt: draft.savedAt,
          published: publishedFrom === draft.checksum,
        }
      : null,
  };
}
