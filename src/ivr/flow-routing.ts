import { randomUUID } from 'node:crypto';
import type { CountryCode } from 'libphonenumber-js';
import { normalizePhone } from '../context/identity';
import { BridgelineError } from '../errors';
import type { Logger } from '../log';
import type { RedisClient } from '../redis/connect';
import { flowIdPattern, type Flow } from './flow';
import { flowKeys } from './flow-redis';
import { decodeVersion } from './flow-versions';

/**
 * Which flow answers a dialled number, on the hot path of every new call.
 *
 * Published versions never change, so their parsed flows are cached in
 * process by `flowId@version`. What a number leads to can change at any
 * moment (publish, rollback, a new mapping), on any instance; every such
 * change replaces `flow:generation`, and a call reads that one key first.
 * While it is unchanged, the route comes from this process's cache: a call
 * costs one GET. After a change, the next call per number reads the map and
 * the alias again, so a publish takes effect on the very next call.
 */

/** Numbers without a mapping of their own get this flow. */
export const defaultFlowId = 'main';
export const defaultAlias = 'live';

export interface NumberRoute {
  number: string;
  flowId: string;
  alias: string;
}

export interface LiveFlow {
  flow: Flow;
  flowId: string;
  version: number;
}

interface ResolvedRoute {
  flowId: string;
  version: number | undefined;
}

const maxCachedVersions = 256;
// A bound on distinct dialled numbers remembered: `to` comes off the wire.
const maxCachedRoutes = 10_000;

export class FlowRouter {
  private generation: string | undefined;
  private routes = new Map<string, ResolvedRoute>();
  private readonly versions = new Map<string, Flow>();

  constructor(
    private readonly redis: RedisClient,
    private readonly region: CountryCode,
    private readonly logger: Logger | undefined,
  ) {}

  async liveForNumber(to: string): Promise<LiveFlow | undefined> {
    const generation = (await this.redis.get(flowKeys.generation)) ?? '';
    if (generation !== this.generation) {
      this.generation = generation;
      this.routes = new Map();
    }
    // Keyed by `to` as jambonz sent it: a warm call skips parsing it.
    let route = this.routes.get(to);
    if (!route) {
      route = await this.resolve(this.lenientNumber(to) ?? '');
      // A slower lookup must not fill a cache a newer change has replaced.
      if (this.generation === generation) {
        if (this.routes.size >= maxCachedRoutes) {
          this.routes.clear();
        }
        this.routes.set(to, route);
      }
    }
    if (route.version === undefined) {
      return undefined;
    }
    const flow = await this.getPublished(route.flowId, route.version);
    return flow && { flow, flowId: route.flowId, version: route.version };
  }

  async getPublished(
    flowId: string,
    version: number,
  ): Promise<Flow | undefined> {
    if (!flowIdPattern.test(flowId) || !Number.isInteger(version)) {
      return undefined;
    }
    const key = `${flowId}@${version}`;
    const cached = this.versions.get(key);
    if (cached) {
      return cached;
    }
    const json = await this.redis.hget(
      flowKeys.versions(flowId),
      String(version),
    );
    if (json === null) {
      return undefined;
    }
    const { flow } = decodeVersion(flowId, version, json);
    if (this.versions.size >= maxCachedVersions) {
      const oldest = this.versions.keys().next();
      if (!oldest.done) {
        this.versions.delete(oldest.value);
      }
    }
    this.versions.set(key, flow);
    return flow;
  }

  /** Tells every instance that routes may have changed. */
  async invalidate(): Promise<void> {
    await this.redis.set(flowKeys.generation, randomUUID());
  }

  async mapNumber(
    rawNumber: string,
    target: { flowId: string; alias: string },
  ): Promise<NumberRoute> {
    const number = normalizePhone(rawNumber, this.region, 'number');
    await this.redis.hset(
      flowKeys.numbers,
      number,
      JSON.stringify({ flowId: target.flowId, alias: target.alias }),
    );
    await this.invalidate();
    return { number, ...target };
  }

  async unmapNumber(rawNumber: string): Promise<void> {
    const number = normalizePhone(rawNumber, this.region, 'number');
    if ((await this.redis.hdel(flowKeys.numbers, number)) === 0) {
      throw new BridgelineError('BL_ERR_NUMBER_NOT_MAPPED', {
        field: 'number',
      });
    }
    await this.invalidate();
  }

  async numberRoute(rawNumber: string): Promise<NumberRoute | undefined> {
    const number = normalizePhone(rawNumber, this.region, 'number');
    const json = await this.redis.hget(flowKeys.numbers, number);
    return json === null ? undefined : { number, ...decodeTarget(json) };
  }

  async numbers(): Promise<NumberRoute[]> {
    const all = await this.redis.hgetall(flowKeys.numbers);
    return Object.entries(all)
      .map(([number, json]) => ({ number, ...decodeTarget(json) }))
      .sort((a, b) => (a.number < b.number ? -1 : 1));
  }

  private async resolve(number: string): Promise<ResolvedRoute> {
    const json =
      number === '' ? null : await this.redis.hget(flowKeys.numbers, number);
    const { flowId, alias } =
      json === null
        ? { flowId: defaultFlowId, alias: defaultAlias }
        : decodeTarget(json);
    const version = await this.redis.hget(flowKeys.aliases(flowId), alias);
    if (version === null) {
      this.logger?.warn({ flowId, alias }, 'dialled number has no live flow');
    }
    return {
      flowId,
      version: version === null ? undefined : Number(version),
    };
  }

  /**
   * jambonz sends `to` as the carrier gave it: E.164, or digits without the
   * plus. Anything unreadable gets the default flow rather than an error:
   * a caller is on the line.
   */
  private lenientNumber(to: string): string | undefined {
    const candidates = /^\d{8,15}$/.test(to) ? [to, `+${to}`] : [to];
    for (const candidate of candidates) {
      try {
        return normalizePhone(candidate, this.region);
      } catch {
        // Not this reading; try the next, else the default flow.
      }
    }
    return undefined;
  }
}

function decodeTarget(json: string): { flowId: string; alias: string } {
  const parsed = JSON.parse(json) as { flowId?: unknown; alias?: unknown };
  return {
    flowId: typeof parsed.flowId === 'string' ? parsed.flowId : defaultFlowId,
    alias: typeof parsed.alias === 'string' ? parsed.alias : defaultAlias,
  };
}
