import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { startBridgeline, type Bridgeline } from '../../src/app';
import { loadConfig } from '../../src/config';
import { aPhone } from '../support/factories';
import { aCallBody, postWebhook, spoken, validVerbs } from '../support/jambonz';
import {
  silentLogger,
  startTestRedis,
  tempDir,
  type TestRedis,
} from '../support/redis';

/**
 * The journey, end to end over HTTP: a customer who chatted
 * yesterday calls, is greeted by name and asked about that chat, walks the
 * menu to a queue, and the call's steps land on their card. Then an admin
 * breaks, fixes, simulates, publishes and rolls back the flow, and each
 * next call follows what is live.
 */
const token = 'journey-admin-token-0123';
const secret = 'journey-webhook-secret';
const root = path.resolve(__dirname, '../..');
// Wednesday 2 December 2026, 3 p.m. in New York: the line is open.
const wednesday = new Date('2026-12-02T15:00:00-05:00');

let redis: TestRedis;
let app: Bridgeline;
let base: string;
const clock = { now: wednesday };

beforeAll(async () => {
  redis = await startTestRedis();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: '0',
    REDIS_URL: redis.server.url,
    ADMIN_TOKEN: token,
    JAMBONZ_WEBHOOK_SECRET: secret,
    DATA_DIR: await tempDir('journey'),
  });
  app = await startBridgeline(config, silentLogger, { now: () => clock.now });
  base = `http://127.0.0.1:${app.port}`;
});

afterAll(async () => {
  await app.close();
  await redis.stop();
});

async function api(method: string, url: string, body?: unknown) {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  };
}

async function call(from: string) {
  const body = aCallBody({ from, to: '+16285550000' });
  const reply = await postWebhook(base, '/jambonz/call', body, { secret });
  return { callSid: String(body.call_sid), verbs: validVerbs(reply.body) };
}

async function press(callSid: string, node: string, digits: string) {
  const reply = await postWebhook(
    base,
    `/jambonz/action/${node}`,
    { call_sid: callSid, digits, reason: 'dtmfDetected' },
    { secret },
  );
  return validVerbs(reply.body);
}

describe('a returning caller, and the admin who edits their flow', () => {
  const phone = aPhone();

  it('greets them by name, asks about yesterday chat and routes them', async () => {
    clock.now = new Date(wednesday.getTime() - 20 * 60 * 60 * 1000);
    const customer = await api('POST', '/api/customers', {
      name: 'Ada Lovelace',
      identities: [{ kind: 'phone', value: phone, verification: 'carrier' }],
    });
    const id = String(customer.body.id);
    const chat = await api('POST', `/api/customers/${id}/conversations`, {
      subject: 'the router that keeps rebooting',
      channel: 'chat',
    });
    await api('POST', `/api/customers/${id}/events`, {
      type: 'chat.message',
      direction: 'inbound',
      text: 'My router reboots every hour',
      conversationId: chat.body.id,
    });
    clock.now = wednesday;

    const { callSid, verbs } = await call(phone);
    expect(spoken(verbs)).toEqual([
      'Hi Ada, welcome back to Bridgeline.',
      expect.stringContaining(
        'Are you calling about the router that keeps rebooting?',
      ),
    ]);

    const menu = await press(callSid, 'about-recent', '2');
    expect(spoken(menu).join(' ')).toMatch(/For billing, press 1/);
    const queued = await press(callSid, 'main-menu', '1');
    expect(spoken(queued).join(' ')).toMatch(/busy/);

    const card = await api(
      'GET',
      `/api/context?phone=${encodeURIComponent(phone)}`,
    );
    const steps = (card.body.timeline as { type: string; node?: string }[])
      .filter((event) => event.type === 'ivr.step')
      .map((event) => event.node);
    expect(steps).toEqual(
      expect.arrayContaining(['about-recent', 'main-menu', 'billing']),
    );
  });

  it('publishes a fixed flow after a broken draft, and rolls it back', async () => {
    const details = await api('GET', '/api/admin/flows/main');
    const live = (details.body.draft as { source: string }).source;
    const flow = YAML.parse(live) as {
      nodes: Record<string, Record<string, unknown>>;
    };

    flow.nodes['welcome-back'] = {
      ...flow.nodes['welcome-back'],
      text: 'Hello again {{customer.firstName}}, good to hear from you.',
      next: 'nowhere',
    };
    const broken = await api('PUT', '/api/admin/flows/main/draft', {
      source: YAML.stringify(flow),
    });
    expect(broken.status).toBe(422);
    expect(broken.body.field).toBe('/nodes/welcome-back/next');

    flow.nodes['welcome-back'] = {
      ...flow.nodes['welcome-back'],
      next: 'about-recent',
    };
    const fixed = YAML.stringify(flow);
    const file = path.join(await tempDir('flow'), 'main.yaml');
    await fs.writeFile(file, fixed);
    const simulated = await promisify(execFile)(
      process.execPath,
      [
        path.join(root, 'bin/bridgeline.js'),
        'simulate',
        file,
        '--name',
        'Ada Lovelace',
        '--conversation',
        'the router that keeps rebooting,chat,20',
        '--now',
        wednesday.toISOString(),
      ],
      { cwd: root },
    );
    expect(simulated.stdout).toContain(
      'Hello again Ada, good to hear from you.',
    );

    const saved = await api('PUT', '/api/admin/flows/main/draft', {
      source: fixed,
      scenarios: (details.body.draft as { scenarios?: string }).scenarios,
    });
    expect(saved.status).toBe(200);
    // The shipped scenarios expect the old greeting: publish refuses.
    const refused = await api('POST', '/api/admin/flows/main/publish');
    expect(refused.body.code).toBe('BL_ERR_FLOW_SCENARIOS_FAILED');
    expect(spoken((await call(phone)).verbs)[0]).toBe(
      'Hi Ada, welcome back to Bridgeline.',
    );

    await api('PUT', '/api/admin/flows/main/draft', { source: fixed });
    const published = await api('POST', '/api/admin/flows/main/publish', {
      note: 'warmer greeting',
    });
    expect(published.status).toBe(201);
    expect(spoken((await call(phone)).verbs)[0]).toBe(
      'Hello again Ada, good to hear from you.',
    );

    const rolledBack = await api('POST', '/api/admin/flows/main/rollback', {});
    expect(rolledBack.status).toBe(200);
    expect(spoken((await call(phone)).verbs)[0]).toBe(
      'Hi Ada, welcome back to Bridgeline.',
    );
  });
});
