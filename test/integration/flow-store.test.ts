import fs from 'node:fs/promises';
import path from 'node:path';
import { Cluster, Redis } from 'ioredis';
import YAML from 'yaml';
import { z } from 'zod';
import { BridgelineError, isBridgelineError } from '../../src/errors';
import { flowSchema, type Flow } from '../../src/ivr/flow';
import {
  FlowStore,
  type FlowStoreOptions,
  type ScenarioChecker,
} from '../../src/ivr/flow-store';
import { canonicalJson, sha256 } from '../../src/ivr/flow-versions';
import { waitForReady } from '../../src/redis/connect';
import {
  aFlowId,
  aFlowInput,
  flowYaml,
  withNode,
} from '../support/flow-factories';
import { aPhone } from '../support/factories';
import {
  silentLogger,
  startTestCluster,
  startTestRedis,
  tempDir,
  type TestRedis,
} from '../support/redis';

/**
 * A real, tiny scenario runner: each scenario names words that some prompt
 * of the flow must say. The product's runner (src/ivr/scenarios.ts) is
 * wired in app.ts; the store only needs a function of this shape.
 */
const saysScenarios = z.array(z.object({ name: z.string(), says: z.string() }));
const checkSays: ScenarioChecker = (flow, source) => {
  const scenarios = saysScenarios.parse(YAML.parse(source ?? '[]') ?? []);
  const spoken = Object.values(flow.nodes).flatMap((node) => [
    ...('text' in node ? [node.text] : []),
    ...('prompt' in node && node.prompt !== undefined ? [node.prompt] : []),
  ]);
  return Promise.resolve(
    scenarios.map(({ name, says }) => {
      const passed = spoken.some((text) => text.includes(says));
      return { name, passed, problems: passed ? [] : [`nobody says ${says}`] };
    }),
  );
};

let redis: TestRedis;
let store: FlowStore;
const others: Redis[] = [];

function aStore(
  client: Redis,
  options: Partial<FlowStoreOptions> = {},
): FlowStore {
  return new FlowStore(client, {
    phoneDefaultRegion: 'US',
    checkScenarios: checkSays,
    logger: silentLogger,
    ...options,
  });
}

/** Another bridgeline instance: its own connection and its own caches. */
async function anotherInstance(): Promise<FlowStore> {
  const client = new Redis(redis.server.url);
  others.push(client);
  await waitForReady(client);
  return aStore(client);
}

beforeAll(async () => {
  redis = await startTestRedis();
  store = aStore(redis.client);
});

afterAll(async () => {
  for (const client of others) {
    client.disconnect();
  }
  await redis.stop();
});

/** The error a promise rejects with, to assert on its code and fields. */
async function failure(work: Promise<unknown>): Promise<BridgelineError> {
  try {
    await work;
  } catch (err) {
    if (isBridgelineError(err)) {
      return err;
    }
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** A flow saved and published as version 1; its greeting names the id. */
async function aPublishedFlow(flowId = aFlowId()) {
  const flow = aFlowInput({ id: flowId, name: `Flow ${flowId}` });
  await store.saveDraft(flowId, { source: flowYaml(flow) });
  const version = await store.publish(flowId, { note: 'first' });
  return { flowId, flow, version };
}

function greeting(flow: Flow | undefined): string | undefined {
  const node = flow?.nodes.greet;
  return node?.type === 'say' ? node.text : undefined;
}

describe('flow drafts', () => {
  it('keeps the source as the admin wrote it, with a checksum', async () => {
    const flowId = aFlowId();
    const source = `# our front door\n${flowYaml(aFlowInput({ id: flowId }))}`;
    const saved = await store.saveDraft(flowId, { source, author: 'ada' });
    expect(saved).toMatchObject({ valid: true, problems: [], savedBy: 'ada' });
    expect(saved.checksum).toMatch(/^[0-9a-f]{64}$/);
    const loaded = await store.getDraft(flowId);
    expect(loaded?.source).toBe(source);
    expect(loaded?.checksum).toBe(saved.checksum);
  });

  it('stores a broken draft with its problems, and publish refuses it', async () => {
    const flowId = aFlowId();
    const broken = withNode(aFlowInput({ id: flowId }), 'greet', {
      type: 'say',
      text: 'Hello',
      next: 'menu',
    });
    const saved = await store.saveDraft(flowId, { source: flowYaml(broken) });
    expect(saved.valid).toBe(false);
    expect(saved.problems.map((problem) => problem.path)).toEqual([
      '/nodes/greet/next',
      '/nodes/main-menu',
      '/nodes/billing',
      '/nodes/goodbye',
    ]);
    expect((await store.getDraft(flowId))?.problems).toEqual(saved.problems);

    const refused = await failure(store.publish(flowId));
    expect(refused.code).toBe('BL_ERR_FLOW_INVALID');
    expect(refused.problems[0]).toEqual({
      field: '/nodes/greet/next',
      message: expect.stringContaining('"menu"') as string,
    });
    expect(await store.versionCount(flowId)).toBe(0);
  });

  it('refuses a save over a draft someone changed since it was loaded', async () => {
    const flowId = aFlowId();
    const first = await store.saveDraft(flowId, {
      source: flowYaml(aFlowInput({ id: flowId })),
      expectedChecksum: null,
    });
    const grace = flowYaml(aFlowInput({ id: flowId, name: 'Grace edit' }));
    const alan = flowYaml(aFlowInput({ id: flowId, name: 'Alan edit' }));

    await store.saveDraft(flowId, {
      source: grace,
      expectedChecksum: first.checksum,
    });
    const conflict = await failure(
      store.saveDraft(flowId, {
        source: alan,
        expectedChecksum: first.checksum,
      }),
    );
    expect(conflict).toMatchObject({
      code: 'BL_ERR_FLOW_VERSION_CONFLICT',
      status: 409,
      field: 'expectedChecksum',
    });
    expect((await store.getDraft(flowId))?.source).toBe(grace);

    const created = await failure(
      store.saveDraft(flowId, { source: alan, expectedChecksum: null }),
    );
    expect(created.code).toBe('BL_ERR_FLOW_VERSION_CONFLICT');
  });

  it('refuses a flow id that could not name a flow', async () => {
    const refused = await failure(
      store.saveDraft('Main Flow', { source: flowYaml(aFlowInput()) }),
    );
    expect(refused).toMatchObject({
      code: 'BL_ERR_INVALID_INPUT',
      field: 'id',
    });
  });
});

describe('flow versions', () => {
  it('numbers versions from 1 and checksums the flow they run', async () => {
    const { flowId, flow, version } = await aPublishedFlow();
    const parsed = flowSchema.parse(flow);
    expect(version).toMatchObject({
      flowId,
      version: 1,
      checksum: sha256(canonicalJson(parsed)),
      note: 'first',
      author: 'admin',
    });
    expect(await store.getPublished(flowId, 1)).toEqual(parsed);
    expect(await store.getPublished(flowId, 2)).toBeUndefined();
  });

  it('never changes a version once published', async () => {
    const { flowId, flow } = await aPublishedFlow();
    const before = await store.getVersion(flowId, 1);
    const second = aFlowInput({ ...flow, name: 'Second' });
    await store.saveDraft(flowId, { source: JSON.stringify(second) });
    await store.publish(flowId);

    expect(await store.getVersion(flowId, 1)).toEqual(before);
    const versions = await store.listVersions(flowId);
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[1]?.checksum).not.toBe(versions[0]?.checksum);
  });

  it('gives the same checksum to the same flow written as YAML or JSON', async () => {
    const { flowId, flow } = await aPublishedFlow();
    const draft = await store.saveDraft(flowId, {
      source: JSON.stringify(flow),
    });
    const again = await store.publish(flowId);
    const first = await store.getVersion(flowId, 1);
    expect(again.checksum).toBe(first.checksum);
    expect(again.draftChecksum).toBe(draft.checksum);
    expect(again.draftChecksum).not.toBe(first.draftChecksum);
  });

  it('refuses to publish a draft changed since the admin loaded it', async () => {
    const { flowId, flow } = await aPublishedFlow();
    const loaded = await store.getDraft(flowId);
    await store.saveDraft(flowId, {
      source: flowYaml({ ...flow, name: 'Changed by someone else' }),
    });
    const stale = await failure(
      store.publish(flowId, { expectedChecksum: loaded?.checksum }),
    );
    expect(stale).toMatchObject({
      code: 'BL_ERR_FLOW_VERSION_CONFLICT',
      field: 'expectedChecksum',
    });
    const behind = await failure(store.publish(flowId, { baseVersion: 0 }));
    expect(behind).toMatchObject({
      code: 'BL_ERR_FLOW_VERSION_CONFLICT',
      field: 'baseVersion',
    });
    expect(await store.versionCount(flowId)).toBe(1);
  });
});

describe('publish and rollback', () => {
  let number: string;
  let flowId: string;

  beforeAll(async () => {
    ({ flowId } = await aPublishedFlow());
    number = aPhone();
    await store.mapNumber(number, { flowId });
  });

  async function publishGreeting(text: string) {
    const flow = aFlowInput({ id: flowId });
    const source = flowYaml(
      withNode(flow, 'greet', { type: 'say', text, next: 'main-menu' }),
    );
    await store.saveDraft(flowId, { source });
    return store.publish(flowId);
  }

  it('serves the next call the new live version, on every instance', async () => {
    const other = await anotherInstance();
    const before = await other.liveForNumber(number);
    expect(before).toMatchObject({ flowId, version: 1 });

    const { version } = await publishGreeting('Welcome to version two.');
    const after = await other.liveForNumber(number);
    expect(after?.version).toBe(version);
    expect(greeting(after?.flow)).toBe('Welcome to version two.');
    expect((await store.liveForNumber(number))?.version).toBe(version);
  });

  it('rolls back to the previous live version, and further back again', async () => {
    const other = await anotherInstance();
    const { version: latest } = await publishGreeting('Latest words.');
    expect((await other.liveForNumber(number))?.version).toBe(latest);

    expect(await store.rollback(flowId)).toEqual({
      alias: 'live',
      from: latest,
      to: latest - 1,
    });
    expect((await other.liveForNumber(number))?.version).toBe(latest - 1);
    await store.rollback(flowId);
    expect((await other.liveForNumber(number))?.version).toBe(latest - 2);
  });

  it('rolls back to a named version and refuses one that does not exist', async () => {
    expect((await store.liveForNumber(number))?.version).toBe(1);
    await store.rollback(flowId, { toVersion: 2 });
    expect((await store.liveForNumber(number))?.version).toBe(2);
    const missing = await failure(store.rollback(flowId, { toVersion: 99 }));
    expect(missing).toMatchObject({
      code: 'BL_ERR_FLOW_VERSION_NOT_FOUND',
      field: 'toVersion',
    });
  });

  it('points an alias nobody set yet at a named version', async () => {
    expect(
      await store.rollback(flowId, { alias: 'staging', toVersion: 1 }),
    ).toEqual({ alias: 'staging', from: null, to: 1 });
    const details = await store.details(flowId);
    expect(details.aliases.staging).toBe(1);
    expect(details.moves[0]).toMatchObject({
      alias: 'staging',
      from: null,
      to: 1,
      action: 'rollback',
    });
  });

  it('says so when there is nothing earlier to roll back to', async () => {
    const { flowId: fresh } = await aPublishedFlow();
    const refused = await failure(store.rollback(fresh));
    expect(refused.code).toBe('BL_ERR_FLOW_NO_EARLIER_VERSION');
  });

  it('keeps the live version serving when scenarios refuse a publish', async () => {
    const live = await store.liveForNumber(number);
    const flow = aFlowInput({ id: flowId, name: 'Untested' });
    await store.saveDraft(flowId, {
      source: flowYaml(flow),
      scenarios: YAML.stringify([
        { name: 'greets the caller', says: 'Hello' },
        { name: 'offers sales', says: 'For sales' },
      ]),
    });
    const refused = await failure(store.publish(flowId));
    expect(refused.code).toBe('BL_ERR_FLOW_SCENARIOS_FAILED');
    expect(refused.problems).toEqual([
      { field: 'offers sales', message: 'nobody says For sales' },
    ]);
    expect(await store.liveForNumber(number)).toEqual(live);
  });

  it('refuses a publish when the scenario runner itself fails', async () => {
    const failing = aStore(redis.client, {
      checkScenarios: () => Promise.reject(new Error('runner crashed')),
    });
    const versions = await store.versionCount(flowId);
    const refused = await failure(failing.publish(flowId));
    expect(refused.problems).toEqual([
      { field: 'scenarios', message: 'runner crashed' },
    ]);
    expect(await store.versionCount(flowId)).toBe(versions);
  });

  it('costs one Redis command per call once the route is known', async () => {
    await store.liveForNumber(number);
    const sent = await commandsDuring(() => store.liveForNumber(number));
    expect(sent).toEqual(['get']);
  });
});

describe('the number map', () => {
  it('sends unmapped numbers to main, and mapped ones to their flow', async () => {
    await aPublishedFlow('main');
    const { flowId } = await aPublishedFlow();
    const number = aPhone();
    expect((await store.liveForNumber(number))?.flowId).toBe('main');

    await store.mapNumber(number, { flowId });
    // jambonz may give the dialled number without its +.
    expect((await store.liveForNumber(number.slice(1)))?.flowId).toBe(flowId);
    expect(await store.router.numberRoute(number)).toEqual({
      number,
      flowId,
      alias: 'live',
    });

    await store.router.unmapNumber(number);
    expect((await store.liveForNumber(number))?.flowId).toBe('main');
    expect((await store.liveForNumber('anonymous'))?.flowId).toBe('main');
  });

  it('leads a number mapped to an alias nobody set to no flow', async () => {
    const { flowId } = await aPublishedFlow();
    const number = aPhone();
    await store.mapNumber(number, { flowId, alias: 'beta' });
    expect(await store.liveForNumber(number)).toBeUndefined();
    await store.publish(flowId, { alias: 'beta' });
    expect((await store.liveForNumber(number))?.version).toBe(2);
  });

  it('refuses to map a number to a flow that does not exist', async () => {
    const refused = await failure(
      store.mapNumber(aPhone(), { flowId: 'no-such-flow' }),
    );
    expect(refused).toMatchObject({
      code: 'BL_ERR_FLOW_NOT_FOUND',
      field: 'flowId',
    });
  });
});

describe('loading the shipped flows', () => {
  async function shippedDir(files: Record<string, string>): Promise<string> {
    const dir = await tempDir('flows');
    for (const [name, text] of Object.entries(files)) {
      await fs.writeFile(path.join(dir, name), text);
    }
    return dir;
  }

  it('publishes each flow once, with its scenarios, and never again', async () => {
    const [front, back] = [aFlowId(), aFlowId()];
    const scenarios = YAML.stringify([{ name: 'greets', says: 'Hello' }]);
    const dir = await shippedDir({
      [`${front}.yaml`]: flowYaml(aFlowInput({ id: front })),
      [`${front}.scenarios.yaml`]: scenarios,
      [`${back}.json`]: JSON.stringify(aFlowInput({ id: back })),
      'schema.json': '{}',
      'README.md': '# flows',
    });

    const first = await store.loadShippedFlows(dir);
    expect(first).toEqual({
      published: [front, back],
      skipped: [],
      failed: [],
    });
    expect((await store.getVersion(front, 1)).scenarios).toBe(scenarios);

    const edited = flowYaml(aFlowInput({ id: back, name: 'Edited by admin' }));
    await store.saveDraft(back, { source: edited });
    const again = await store.loadShippedFlows(dir);
    expect(again.skipped).toEqual([front, back]);
    expect(await store.versionCount(front)).toBe(1);
    expect((await store.getDraft(back))?.source).toBe(edited);
    await fs.rm(dir, { recursive: true });
  });

  it('reports a broken shipped flow and publishes nothing of it', async () => {
    const flowId = aFlowId();
    const dir = await shippedDir({
      [`${flowId}.yaml`]: flowYaml({
        ...aFlowInput({ id: flowId }),
        start: 'x',
      }),
    });
    const report = await store.loadShippedFlows(dir);
    expect(report.failed.map((failed) => failed.flowId)).toEqual([flowId]);
    expect(report.failed[0]?.problems.map((problem) => problem.field)).toEqual([
      '/start',
    ]);
    expect(await store.versionCount(flowId)).toBe(0);
    await fs.rm(dir, { recursive: true });
  });
});

describe('on Redis Cluster', () => {
  // A one-node cluster holding every slot: a script touching keys of two
  // slots fails here as it would in production.
  let node: TestRedis;
  let cluster: Cluster;

  beforeAll(async () => {
    node = await startTestCluster();
    cluster = new Cluster([{ host: '127.0.0.1', port: node.server.port }]);
    await waitForReady(cluster);
  });

  afterAll(async () => {
    await cluster.quit();
    await node.stop();
  });

  it('saves, publishes, rolls back and routes with each flow in one slot', async () => {
    const flows = new FlowStore(cluster, {
      phoneDefaultRegion: 'US',
      logger: silentLogger,
    });
    const flowId = aFlowId();
    const number = aPhone();
    const source = flowYaml(aFlowInput({ id: flowId }));
    await flows.saveDraft(flowId, { source, expectedChecksum: null });
    await flows.publish(flowId);
    await flows.saveDraft(flowId, { source: `${source}# again\n` });
    await flows.publish(flowId, { baseVersion: 1 });
    await flows.mapNumber(number, { flowId });
    expect((await flows.liveForNumber(number))?.version).toBe(2);
    await flows.rollback(flowId);
    expect((await flows.liveForNumber(number))?.version).toBe(1);
  });
});

/** Every command other connections send while `work` runs (MONITOR). */
async function commandsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const monitor = await redis.client.monitor();
  const sent: string[] = [];
  const marker = `end-${Date.now()}`;
  const done = new Promise<void>((resolve) => {
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (args[0] === 'echo' && args[1] === marker) {
        resolve();
      } else if (source !== 'lua') {
        sent.push(String(args[0]).toLowerCase());
      }
    });
  });
  await work();
  await redis.client.echo(marker);
  await done;
  monitor.disconnect();
  return sent;
}
