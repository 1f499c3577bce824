import { bridgelineOnOwnRedis, testAdminToken } from '../support/app';
import { aFlowId, aFlowInput, flowYaml } from '../support/flow-factories';

/** GET /api/admin/flows/:id/diff: what changed between two versions. */

const running = bridgelineOnOwnRedis();

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply> {
  const response = await fetch(`${running.base}/api/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${testAdminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** A flow with two versions: v2 changes the greeting of v1. */
async function aFlowWithTwoVersions(): Promise<string> {
  const flowId = aFlowId();
  const first = aFlowInput({ id: flowId });
  const second = aFlowInput({ id: flowId, name: 'Front door, reworded' });
  for (const flow of [first, second]) {
    const saved = await call('PUT', `/flows/${flowId}/draft`, {
      source: flowYaml(flow),
    });
    expect(saved.status).toBe(200);
    expect((await call('POST', `/flows/${flowId}/publish`, {})).status).toBe(
      201,
    );
  }
  return flowId;
}

describe('the flow diff', () => {
  it('gives the changed lines between two versions as hunks', async () => {
    const flowId = await aFlowWithTwoVersions();

    const reply = await call('GET', `/flows/${flowId}/diff?from=1&to=2`);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ flowId, from: 1, to: 2 });
    const hunks = reply.body.hunks as { lines: string[]; oldStart: number }[];
    expect(hunks).toHaveLength(1);
    const changed = hunks[0]?.lines.filter((line) => !line.startsWith(' '));
    expect(changed).toEqual([
      '-name: Front door',
      '+name: Front door, reworded',
    ]);
  });

  it('compares a version with the draft, and gives no hunks when they match', async () => {
    const flowId = await aFlowWithTwoVersions();
    const edited = `${flowYaml(aFlowInput({ id: flowId }))}# try later\n`;
    await call('PUT', `/flows/${flowId}/draft`, { source: edited });

    const toDraft = await call('GET', `/flows/${flowId}/diff?from=1&to=draft`);
    expect(toDraft.status).toBe(200);
    const hunks = toDraft.body.hunks as { lines: string[] }[];
    expect(hunks.flatMap((h) => h.lines.filter((l) => l[0] === '+'))).toEqual([
      '+# try later',
    ]);

    const same = await call('GET', `/flows/${flowId}/diff?from=2&to=2`);
    expect(same.body).toMatchObject({ hunks: [] });
  });

  it('when a version is not a number, answers 400 naming the field', async () => {
    const flowId = await aFlowWithTwoVersions();
    const cases: [string, string][] = [
      ['from=one&to=2', 'from'],
      ['from=1&to=latest', 'to'],
      ['to=2', 'from'],
      ['from=0&to=1', 'from'],
      ['from=1&to=2&context=9', 'context'],
    ];
    for (const [query, field] of cases) {
      const reply = await call('GET', `/flows/${flowId}/diff?${query}`);
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ code: 'BL_ERR_INVALID_INPUT', field });
    }
  });

  it('when a version or the flow does not exist, answers 404 naming it', async () => {
    const flowId = await aFlowWithTwoVersions();

    const noTo = await call('GET', `/flows/${flowId}/diff?from=1&to=9`);
    expect(noTo.status).toBe(404);
    expect(noTo.body).toMatchObject({
      code: 'BL_ERR_FLOW_VERSION_NOT_FOUND',
      field: 'to',
    });
    const noFrom = await call('GET', `/flows/${flowId}/diff?from=7&to=draft`);
    expect(noFrom.body).toMatchObject({ field: 'from' });

    const noFlow = await call('GET', `/flows/${aFlowId()}/diff?from=1&to=2`);
    expect(noFlow.status).toBe(404);
    expect(noFlow.body).toMatchObject({ code: 'BL_ERR_FLOW_NOT_FOUND' });
  });

  it('answers 401 without the admin token', async () => {
    const response = await fetch(
      `${running.base}/api/admin/flows/main/diff?from=1&to=1`,
    );
    expect(response.status).toBe(401);
  });
});
