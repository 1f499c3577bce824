import { startBridgeline, type Bridgeline } from '../../src/app';
import { loadConfig } from '../../src/config';
import { FlowStore } from '../../src/ivr/flow-store';
import { aPhone } from '../support/factories';
import {
  aFlowId,
  aFlowInput,
  flowYaml,
  withNode,
} from '../support/flow-factories';
import {
  silentLogger,
  startTestRedis,
  tempDir,
  type TestRedis,
} from '../support/redis';

const token = 'test-admin-token-0123456789';
let redis: TestRedis;
let app: Bridgeline;
let base: string;
/** Another instance's view of the flows: what its next call would get. */
let calls: FlowStore;

beforeAll(async () => {
  redis = await startTestRedis();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: '0',
    REDIS_URL: redis.server.url,
    ADMIN_TOKEN: token,
    DATA_DIR: await tempDir('admin'),
    TRANSFER_ALLOWLIST: '+14155550100',
  });
  app = await startBridgeline(config, silentLogger);
  base = `http://127.0.0.1:${app.port}/api/admin`;
  calls = new FlowStore(redis.client, { phoneDefaultRegion: 'US' });
});

afterAll(async () => {
  await app.close();
  await redis.stop();
});

interface Reply {
  status: number;
  body: Record<string, unknown>;
  etag: string | null;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const isText = typeof body === 'string';
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined
        ? {}
        : { 'content-type': isText ? 'application/yaml' : 'application/json' }),
      ...headers,
    },
    body: isText ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    etag: response.headers.get('etag'),
  };
}

function problemFields(reply: Reply): string[] {
  const problems = reply.body.problems as { field: string }[] | undefined;
  return (problems ?? []).map((problem) => problem.field);
}

describe('the admin flow API', () => {
  it('answers 401 without the admin token', async () => {
    for (const path of ['/flows', '/numbers', '/flows/main']) {
      const reply = await call('GET', path, undefined, { authorization: '' });
      expect(reply.status).toBe(401);
      expect(reply.body.code).toBe('BL_ERR_UNAUTHORIZED');
    }
  });

  it('lists the shipped main flow, live from the first start', async () => {
    const reply = await call('GET', '/flows');
    expect(reply.status).toBe(200);
    const flows = reply.body.flows as { id: string }[];
    expect(flows).toContainEqual(
      expect.objectContaining({
        id: 'main',
        aliases: { live: 1 },
        draft: expect.objectContaining({
          valid: true,
          published: true,
        }) as unknown,
      }),
    );
    expect((await calls.liveForNumber(aPhone()))?.flowId).toBe('main');
  });

  it('saves a broken draft with its error paths, then a fix, then publishes it', async () => {
    const flowId = aFlowId();
    const flow = aFlowInput({ id: flowId });
    const broken = withNode(flow, 'main-menu', {
      ...flow.nodes['main-menu'],
      on: { timeout: 'goodbye', noMatch: 'no-such-node' },
    });

    const saved = await call('PUT', `/flows/${flowId}/draft`, {
      source: flowYaml(broken),
      expectedChecksum: null,
    });
    expect(saved.status).toBe(422);
    expect(saved.body).toMatchObject({
      code: 'BL_ERR_FLOW_INVALID',
      field: '/nodes/main-menu/on/noMatch',
      message: expect.stringMatching(/draft is saved/) as string,
    });
    expect(problemFields(saved)).toEqual(['/nodes/main-menu/on/noMatch']);
    const refused = await call('POST', `/flows/${flowId}/publish`);
    expect(refused.status).toBe(422);

    // The fix, sent as the YAML file itself, over the draft just saved.
    const fixed = await call('PUT', `/flows/${flowId}/draft`, flowYaml(flow), {
      'if-match': saved.etag ?? '',
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ valid: true, problems: [] });
    expect(fixed.etag).toBe(`"${String(fixed.body.checksum)}"`);

    const published = await call('POST', `/flows/${flowId}/publish`, {
      note: 'first cut',
      expectedChecksum: fixed.body.checksum,
    });
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ version: 1, note: 'first cut' });

    const number = aPhone();
    const mapped = await call('PUT', `/numbers/${number}`, { flowId });
    expect(mapped.body).toEqual({ number, flowId, alias: 'live' });
    expect(await calls.liveForNumber(number)).toMatchObject({
      flowId,
      version: 1,
    });
  });

  it('simulates the draft for a scripted caller, step by step', async () => {
    const flowId = aFlowId();
    await call('PUT', `/flows/${flowId}/draft`, {
      source: flowYaml(aFlowInput({ id: flowId })),
    });

    const run = await call('POST', `/flows/${flowId}/simulate`, {
      caller: { name: 'Grace Hopper' },
      inputs: [{ digits: '1' }],
    });

    expect(run.status).toBe(200);
    const steps = run.body.steps as { path: string[]; prompts: string[] }[];
    expect(steps[0]?.prompts[0]).toBe('Hello Grace.');
    expect(steps[1]?.path).toEqual(['main-menu', 'billing', 'goodbye']);
    expect(run.body.path).toEqual(['greet', 'main-menu', 'billing', 'goodbye']);
  });

  it('refuses to simulate a flow with problems, naming them', async () => {
    const flowId = aFlowId();
    const flow = aFlowInput({ id: flowId, start: 'nowhere' });
    const run = await call('POST', `/flows/${flowId}/simulate`, {
      source: flowYaml(flow),
      inputs: ['timeout'],
    });
    expect(run.status).toBe(422);
    expect(problemFields(run)).toContain('/start');

    const unknown = await call('POST', `/flows/${aFlowId()}/simulate`, {});
    expect(unknown.status).toBe(404);
    const badInput = await call('POST', `/flows/${flowId}/simulate`, {
      source: flowYaml(aFlowInput({ id: flowId })),
      inputs: [{ digits: 'one' }],
    });
    expect(badInput.status).toBe(400);
    expect(badInput.body).toMatchObject({ field: 'inputs.0.digits' });
  });

  it('refuses a save over a draft another admin changed (409)', async () => {
    const flowId = aFlowId();
    const source = flowYaml(aFlowInput({ id: flowId }));
    const first = await call('PUT', `/flows/${flowId}/draft`, { source });
    await call('PUT', `/flows/${flowId}/draft`, {
      source: `${source}# edited by Grace\n`,
      expectedChecksum: first.body.checksum,
    });
    const late = await call('PUT', `/flows/${flowId}/draft`, {
      source: `${source}# edited by Alan\n`,
      expectedChecksum: first.body.checksum,
    });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({
      code: 'BL_ERR_FLOW_VERSION_CONFLICT',
      field: 'expectedChecksum',
    });
    const shown = await call('GET', `/flows/${flowId}`);
    const draft = shown.body.draft as { source: string };
    expect(draft.source).toMatch(/Grace/);
  });

  it('validates without saving, against the transfer allow-list', async () => {
    const flowId = aFlowId();
    const flow = aFlowInput({ id: flowId });
    const dialling = (to: string) =>
      flowYaml(
        withNode(flow, 'billing', {
          type: 'transfer',
          to,
          on: { failure: 'goodbye' },
        }),
      );
    const bad = await call('POST', `/flows/${flowId}/validate`, {
      source: dialling('+14155550199'),
    });
    expect(bad.status).toBe(422);
    expect(problemFields(bad)).toEqual(['/nodes/billing/to']);
    const good = await call(
      'POST',
      `/flows/${flowId}/validate`,
      dialling('+14155550100'),
    );
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ valid: true, flow: { id: flowId } });
    expect((await call('GET', `/flows/${flowId}`)).status).toBe(404);
  });

  it('shows versions, rolls back, and keeps history', async () => {
    const flowId = aFlowId();
    const number = aPhone();
    for (const name of ['One', 'Two']) {
      const source = flowYaml(aFlowInput({ id: flowId, name }));
      await call('PUT', `/flows/${flowId}/draft`, { source });
      await call('POST', `/flows/${flowId}/publish`, { note: name });
    }
    await call('PUT', `/numbers/${number}`, { flowId });
    expect((await calls.liveForNumber(number))?.flow.name).toBe('Two');

    const rolled = await call('POST', `/flows/${flowId}/rollback`);
    expect(rolled.body).toEqual({ alias: 'live', from: 2, to: 1 });
    expect((await calls.liveForNumber(number))?.flow.name).toBe('One');
    const nothing = await call('POST', `/flows/${flowId}/rollback`, {});
    expect(nothing.status).toBe(409);

    const versions = await call('GET', `/flows/${flowId}/versions`);
    expect(versions.body.versions).toEqual([
      expect.objectContaining({ version: 1, note: 'One' }),
      expect.objectContaining({ version: 2, note: 'Two' }),
    ]);
    const second = await call('GET', `/flows/${flowId}/versions/2`);
    expect(second.body).toMatchObject({ version: 2, flow: { name: 'Two' } });
    expect(String(second.body.source)).toMatch(/name: Two/);

    const details = await call('GET', `/flows/${flowId}`);
    expect(details.body).toMatchObject({
      aliases: { live: 1 },
      live: { version: 1 },
      moves: [
        { action: 'rollback', from: 2, to: 1 },
        { action: 'publish', from: 1, to: 2 },
        { action: 'publish', from: null, to: 1 },
      ],
    });
  });

  describe('when the input is bad', () => {
    it.each([
      ['a missing source', 'PUT', '/draft', { scenarios: '' }, 'source'],
      [
        'an unknown field',
        'PUT',
        '/draft',
        { source: 'x', colour: 1 },
        'colour',
      ],
      ['a bad note', 'POST', '/publish', { note: 5 }, 'note'],
      ['a bad version', 'POST', '/rollback', { toVersion: 0 }, 'toVersion'],
    ])('answers 400 for %s, naming the field', async (...args) => {
      const [, method, suffix, body, field] = args;
      const reply = await call(method, `/flows/main${suffix}`, body);
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ code: 'BL_ERR_INVALID_INPUT', field });
    });

    it('answers 404 for a flow or version that does not exist', async () => {
      const flow = await call('GET', '/flows/no-such-flow');
      expect(flow.body).toMatchObject({ code: 'BL_ERR_FLOW_NOT_FOUND' });
      const version = await call('GET', '/flows/main/versions/99');
      expect(version.body).toMatchObject({
        code: 'BL_ERR_FLOW_VERSION_NOT_FOUND',
      });
      const word = await call('GET', '/flows/main/versions/latest');
      expect(word).toMatchObject({ status: 400, body: { field: 'version' } });
    });

    it('answers 409 for a stale If-Match on a YAML draft, 400 for a junk one', async () => {
      const source = flowYaml(aFlowInput());
      const stale = await call('PUT', '/flows/main/draft', source, {
        'if-match': `"${'0'.repeat(64)}"`,
      });
      expect(stale.status).toBe(409);
      const junk = await call('PUT', '/flows/main/draft', source, {
        'if-match': 'yesterday',
      });
      expect(junk).toMatchObject({ status: 400, body: { field: 'If-Match' } });
    });
  });
});

describe('the admin number API', () => {
  it('maps, shows, lists and unmaps a number', async () => {
    const number = aPhone();
    const path = `/numbers/${encodeURIComponent(number)}`;
    expect((await call('PUT', path, { flowId: 'main' })).status).toBe(200);
    expect((await call('GET', path)).body).toEqual({
      number,
      flowId: 'main',
      alias: 'live',
    });
    const list = await call('GET', '/numbers');
    expect(list.body.numbers).toContainEqual({
      number,
      flowId: 'main',
      alias: 'live',
    });
    expect(list.body.unmapped).toEqual({ flowId: 'main', alias: 'live' });

    expect((await call('DELETE', path)).status).toBe(204);
    const gone = await call('GET', path);
    expect(gone).toMatchObject({
      status: 404,
      body: { code: 'BL_ERR_NUMBER_NOT_MAPPED', field: 'number' },
    });
  });

  it('answers 400 for a number that is not one and 404 for an unknown flow', async () => {
    const bad = await call('PUT', '/numbers/12', { flowId: 'main' });
    expect(bad.body).toMatchObject({
      code: 'BL_ERR_INVALID_PHONE',
      field: 'number',
    });
    const unknown = await call('PUT', `/numbers/${aPhone()}`, {
      flowId: 'no-such-flow',
    });
    expect(unknown).toMatchObject({
      status: 404,
      body: { code: 'BL_ERR_FLOW_NOT_FOUND', field: 'flowId' },
    });
    const noBody = await call('PUT', `/numbers/${aPhone()}`, { alias: 'x' });
    expect(noBody.body).toMatchObject({ field: 'flowId' });
  });
});
