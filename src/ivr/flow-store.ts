import type { CountryCode } from 'libphonenumber-js';
import { BridgelineError } from '../errors';
import type { Logger } from '../log';
import type { RedisClient } from '../redis/connect';
import { flowIdPattern, type Flow } from './flow';
import { requireScenariosPass, type ScenarioChecker } from './flow-gate';
import { loadShippedFlows, type ShippedReport } from './flow-loader';
import {
  flowDetails,
  flowExists,
  listFlows,
  listVersions,
  readDraft,
  readVersion,
  requireFlow,
  type FlowDetails,
  type FlowSummary,
} from './flow-reads';
import {
  defineFlowScripts,
  flowKeys,
  historyLimit,
  scriptError,
} from './flow-redis';
import {
  defaultAlias,
  FlowRouter,
  type LiveFlow,
  type NumberRoute,
} from './flow-routing';
import {
  draftChecksum,
  encodeDraft,
  encodeVersion,
  flowChecksum,
  type FlowDraft,
  type FlowVersion,
  type FlowVersionInfo,
} from './flow-versions';
import { checkFlowText, flowInvalid, type FlowValidation } from './validate';

export type { ScenarioChecker, ScenarioResult } from './flow-gate';
export type { FlowDetails, FlowSummary } from './flow-reads';
export type { LiveFlow, NumberRoute } from './flow-routing';
export type {
  AliasMove,
  FlowDraft,
  FlowVersion,
  FlowVersionInfo,
} from './flow-versions';

/**
 * The flow store: drafts an admin edits, immutable numbered versions, and
 * aliases (`live`, or any other name) that numbers lead to. Publishing makes
 * a version of the draft and moves the alias; rolling back moves it again.
 * Both take effect on the next call, on every instance (see flow-routing).
 *
 * A draft is stored even when it has problems, so work in progress is never
 * lost; it is marked invalid with its problems, and publish refuses it.
 * Nothing that fails validation or its scenarios is ever published, and the
 * live version keeps serving while an admin fixes it.
 */

export interface FlowStoreOptions {
  phoneDefaultRegion: CountryCode;
  /** TRANSFER_ALLOWLIST; when given, transfers elsewhere are problems. */
  transferAllowlist?: readonly string[];
  /** When absent, publish does not run scenarios. */
  checkScenarios?: ScenarioChecker;
  logger?: Logger;
  now?: () => number;
}

export interface SaveDraftInput {
  source: string;
  scenarios?: string;
  /**
   * The checksum of the draft the admin started from; the save is refused
   * (409) if the draft has changed since. `null` means "there was none
   * yet"; leaving it out overwrites whatever is there.
   */
  expectedChecksum?: string | null;
  author?: string;
}

export interface PublishInput {
  note?: string;
  /** Refuse (409) unless the draft still has this checksum. */
  expectedChecksum?: string;
  /** Refuse (409) unless the latest version is still this one (0: none). */
  baseVersion?: number;
  alias?: string;
  author?: string;
}

export interface RollbackInput {
  /** Default: the version the alias pointed at before the current one. */
  toVersion?: number;
  alias?: string;
  author?: string;
}

const aliasPattern = /^[a-z][a-z0-9-]{0,31}$/;

export class FlowStore {
  readonly router: FlowRouter;
  private readonly now: () => number;

  constructor(
    readonly redis: RedisClient,
    private readonly options: FlowStoreOptions,
  ) {
    defineFlowScripts(redis);
    this.router = new FlowRouter(
      redis,
      options.phoneDefaultRegion,
      options.logger,
    );
    this.now = options.now ?? Date.now;
  }

  liveForNumber(to: string): Promise<LiveFlow | undefined> {
    return this.router.liveForNumber(to);
  }

  getPublished(flowId: string, version: number): Promise<Flow | undefined> {
    return this.router.getPublished(flowId, version);
  }

  /** Validates source as it would be saved as `flowId`; stores nothing. */
  /** The destinations a transfer node may dial (TRANSFER_ALLOWLIST). */
  get transferAllowlist(): readonly string[] | undefined {
    return this.options.transferAllowlist;
  }

  async validate(flowId: string, source: string): Promise<FlowValidation> {
    const known = new Set(await this.redis.smembers(flowKeys.index));
    return checkFlowText(source, {
      flowId,
      flowExists: (id) => known.has(id),
      ...(this.options.transferAllowlist === undefined
        ? {}
        : { transferAllowlist: this.options.transferAllowlist }),
    });
  }

  async saveDraft(flowId: string, input: SaveDraftInput): Promise<FlowDraft> {
    assertFlowId(flowId);
    const validation = await this.validate(flowId, input.source);
    const draft: FlowDraft = {
      flowId,
      source: input.source,
      ...(input.scenarios === undefined ? {} : { scenarios: input.scenarios }),
      checksum: draftChecksum(input.source, input.scenarios),
      valid: validation.ok,
      problems: validation.ok ? [] : validation.problems,
      ...(validation.ok ? { name: validation.flow.name } : {}),
      savedAt: new Date(this.now()).toISOString(),
      savedBy: input.author ?? 'admin',
    };
    const expected = input.expectedChecksum;
    // The index first: a stop right after leaves an id with no draft,
    // which reads as "no such flow", never a draft nobody can list.
    await this.redis.sadd(flowKeys.index, flowId);
    try {
      await this.redis.blFlowSaveDraft(
        flowKeys.draft(flowId),
        expected === undefined
          ? 'any'
          : expected === null
            ? 'absent'
            : 'equals',
        expected ?? '',
        ...encodeDraft(draft),
      );
    } catch (err) {
      throw asConflict(err, 'expectedChecksum');
    }
    this.options.logger?.info(
      { flowId, valid: draft.valid, problems: draft.problems.length },
      'flow draft saved',
    );
    return draft;
  }

  getDraft(flowId: string): Promise<FlowDraft | undefined> {
    return readDraft(this.redis, flowId);
  }

  async publish(
    flowId: string,
    input: PublishInput = {},
  ): Promise<FlowVersionInfo> {
    const alias = aliasName(input.alias);
    const draft = await this.getDraft(flowId);
    if (!draft) {
      throw new BridgelineError('BL_ERR_FLOW_NOT_FOUND', { field: 'id' });
    }
    if (
      input.expectedChecksum !== undefined &&
      input.expectedChecksum !== draft.checksum
    ) {
      throw new BridgelineError('BL_ERR_FLOW_VERSION_CONFLICT', {
        field: 'expectedChecksum',
      });
    }
    const validation = await this.validate(flowId, draft.source);
    if (!validation.ok) {
      throw flowInvalid(validation.problems);
    }
    if (this.options.checkScenarios) {
      await requireScenariosPass(
        this.options.checkScenarios,
        validation.flow,
        draft.scenarios,
      );
    }

    const info = {
      checksum: flowChecksum(validation.flow),
      draftChecksum: draft.checksum,
      author: input.author ?? 'admin',
      createdAt: new Date(this.now()).toISOString(),
      note: input.note ?? '',
    };
    const record = encodeVersion({
      ...info,
      source: draft.source,
      ...(draft.scenarios === undefined ? {} : { scenarios: draft.scenarios }),
      flow: validation.flow,
    });
    let version: number;
    try {
      // The script checks the draft is still the one validated above.
      version = await this.redis.blFlowPublish(
        flowKeys.draft(flowId),
        flowKeys.versions(flowId),
        flowKeys.aliases(flowId),
        flowKeys.stack(flowId, alias),
        flowKeys.moves(flowId),
        draft.checksum,
        input.baseVersion === undefined ? '' : String(input.baseVersion),
        alias,
        record,
        info.author,
        info.createdAt,
        historyLimit,
      );
    } catch (err) {
      throw asConflict(
        err,
        input.baseVersion === undefined ? 'expectedChecksum' : 'baseVersion',
      );
    }
    await this.router.invalidate();
    this.options.logger?.info({ flowId, version, alias }, 'flow published');
    return { flowId, version, ...info };
  }

  async rollback(
    flowId: string,
    input: RollbackInput = {},
  ): Promise<{ alias: string; from: number | null; to: number }> {
    const alias = aliasName(input.alias);
    await requireFlow(this.redis, flowId);
    let moved: [number | null, number];
    try {
      moved = await this.redis.blFlowRollback(
        flowKeys.aliases(flowId),
        flowKeys.stack(flowId, alias),
        flowKeys.moves(flowId),
        flowKeys.versions(flowId),
        alias,
        input.toVersion === undefined ? '' : String(input.toVersion),
        input.author ?? 'admin',
        new Date(this.now()).toISOString(),
        historyLimit,
      );
    } catch (err) {
      const code = scriptError(err);
      if (code === 'NO_EARLIER') {
        throw new BridgelineError('BL_ERR_FLOW_NO_EARLIER_VERSION', {
          field: 'toVersion',
        });
      }
      if (code === 'NO_VERSION') {
        throw new BridgelineError('BL_ERR_FLOW_VERSION_NOT_FOUND', {
          field: 'toVersion',
        });
      }
      throw err;
    }
    await this.router.invalidate();
    const [from, to] = moved;
    this.options.logger?.info({ flowId, alias, from, to }, 'flow rolled back');
    return { alias, from, to };
  }

  listVersions(flowId: string): Promise<FlowVersionInfo[]> {
    return listVersions(this.redis, flowId);
  }

  getVersion(flowId: string, version: number): Promise<FlowVersion> {
    return readVersion(this.redis, flowId, version);
  }

  details(flowId: string): Promise<FlowDetails> {
    return flowDetails(this.redis, flowId);
  }

  list(): Promise<FlowSummary[]> {
    return listFlows(this.redis, this.router);
  }

  exists(flowId: string): Promise<boolean> {
    return flowExists(this.redis, flowId);
  }

  async versionCount(flowId: string): Promise<number> {
    return flowIdPattern.test(flowId)
      ? this.redis.hlen(flowKeys.versions(flowId))
      : 0;
  }

  async mapNumber(
    number: string,
    target: { flowId: string; alias?: string },
  ): Promise<NumberRoute> {
    if (!(await this.exists(target.flowId))) {
      throw new BridgelineError('BL_ERR_FLOW_NOT_FOUND', { field: 'flowId' });
    }
    return this.router.mapNumber(number, {
      flowId: target.flowId,
      alias: aliasName(target.alias),
    });
  }

  loadShippedFlows(dir: string): Promise<ShippedReport> {
    return loadShippedFlows(this, dir, this.options.logger);
  }
}

function assertFlowId(flowId: string): void {
  if (!flowIdPattern.test(flowId)) {
    throw new BridgelineError('BL_ERR_INVALID_INPUT', {
      field: 'id',
      message: 'Flow ids are lower-case words joined by -, e.g. main.',
    });
  }
}

function aliasName(alias: string | undefined): string {
  const name = alias ?? defaultAlias;
  if (!aliasPattern.test(name)) {
    throw new BridgelineError('BL_ERR_INVALID_INPUT', {
      field: 'alias',
      message: 'Alias names are lower-case words joined by -, e.g. live.',
    });
  }
  return name;
}

function asConflict(err: unknown, field: string): unknown {
  return scriptError(err) === 'CONFLICT'
    ? new BridgelineError('BL_ERR_FLOW_VERSION_CONFLICT', { field })
    : err;
}
