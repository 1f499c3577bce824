import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import YAML from 'yaml';
import { isBridgelineError } from '../../src/errors';
import { flowJsonSchemaText } from '../../src/ivr/flow-json-schema';
import {
  checkFlowText,
  parseFlowText,
  validateFlow,
  type FlowProblem,
  type ValidateOptions,
} from '../../src/ivr/validate';
import {
  aFlowInput,
  flowYaml,
  withNode,
  withNodes,
} from '../support/flow-factories';

function problemsOf(raw: unknown, options?: ValidateOptions): FlowProblem[] {
  const result = validateFlow(raw, options);
  return result.ok ? [] : result.problems;
}

function pathsOf(raw: unknown, options?: ValidateOptions): string[] {
  return problemsOf(raw, options).map((problem) => problem.path);
}

describe('flow validation', () => {
  it('accepts a good flow and fills in its defaults', () => {
    const result = validateFlow(aFlowInput());
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.flow.language).toBe('en-US');
      expect(result.flow.nodes['main-menu']).toMatchObject({
        retries: 2,
        input: ['digits', 'speech'],
      });
    }
  });

  it('reads the same flow from YAML and from JSON', () => {
    const fromYaml = checkFlowText(flowYaml(aFlowInput()));
    const fromJson = checkFlowText(JSON.stringify(aFlowInput()));
    expect(fromYaml).toEqual(fromJson);
    expect(fromYaml.ok).toBe(true);
  });

  it('points at a transition that leads to a missing node', () => {
    const flow = aFlowInput();
    const raw = withNode(flow, 'main-menu', {
      ...flow.nodes['main-menu'],
      choices: [{ key: '1', next: 'biling' }],
      on: { timeout: 'goodbye', noMatch: 'nowhere' },
    });
    const problems = problemsOf(raw);
    expect(problems).toContainEqual({
      path: '/nodes/main-menu/choices/0/next',
      message: expect.stringContaining('"biling"') as string,
    });
    expect(pathsOf(raw)).toContain('/nodes/main-menu/on/noMatch');
  });

  it('names a start node that does not exist', () => {
    expect(pathsOf({ ...aFlowInput(), start: 'welcome' })).toContain('/start');
  });

  it('points at a node no path from the start reaches', () => {
    const raw = withNode(aFlowInput(), 'orphan', {
      type: 'say',
      text: 'Nobody hears this.',
      next: 'goodbye',
    });
    expect(pathsOf(raw)).toEqual(['/nodes/orphan']);
  });

  it('names the allowed node types for an unknown one', () => {
    const raw = withNode(aFlowInput(), 'goodbye', { type: 'hangpu' });
    const [problem] = problemsOf(raw);
    expect(problem?.path).toBe('/nodes/goodbye/type');
    expect(problem?.message).toMatch(/unknown node type "hangpu"/);
    expect(problem?.message).toMatch(/say, play, menu, .*hangup/);
  });

  it('names an unknown key and the keys the node takes', () => {
    const raw = withNode(aFlowInput(), 'goodbye', {
      type: 'hangup',
      promt: 'Goodbye.',
    });
    expect(problemsOf(raw)).toEqual([
      {
        path: '/nodes/goodbye/promt',
        message: expect.stringMatching(
          /unknown key "promt"; a hangup node takes: type, prompt/,
        ) as string,
      },
    ]);
  });

  it('points at a template with an unknown placeholder', () => {
    const raw = withNode(aFlowInput(), 'greet', {
      type: 'say',
      text: 'Hello {{customer.surname}}',
      next: 'main-menu',
    });
    const [problem] = problemsOf(raw);
    expect(problem?.path).toBe('/nodes/greet/text');
    expect(problem?.message).toMatch(/\{\{customer\.surname\}\}/);
  });

  it('checks templates in set values', () => {
    const flow = aFlowInput();
    const raw = {
      ...withNode(flow, 'greet', {
        type: 'set',
        values: { reason: 'about {{conversation.subjet}}' },
        next: 'main-menu',
      }),
    };
    expect(pathsOf(raw)).toEqual(['/nodes/greet/values/reason']);
  });

  describe('when a node has hours', () => {
    function withHours(hours: Record<string, unknown>) {
      const flow = aFlowInput({ start: 'hours' });
      return withNode(flow, 'hours', {
        type: 'hours',
        timezone: 'America/New_York',
        weekly: { mon: ['09:00-17:00'] },
        on: { open: 'greet', closed: 'goodbye' },
        ...hours,
      });
    }

    it('accepts a real time zone and a real schedule', () => {
      expect(pathsOf(withHours({ holidays: ['2026-12-25'] }))).toEqual([]);
    });

    it('refuses a time zone IANA does not know', () => {
      const [problem] = problemsOf(withHours({ timezone: 'Europe/Atlantis' }));
      expect(problem).toEqual({
        path: '/nodes/hours/timezone',
        message: expect.stringContaining('Europe/Atlantis') as string,
      });
    });

    it('refuses a range that ends before it starts and a date that is not one', () => {
      const raw = withHours({
        weekly: { mon: ['09:00-12:00', '18:00-08:00'] },
        holidays: ['2026-02-30'],
      });
      expect(pathsOf(raw)).toEqual([
        '/nodes/hours/weekly/mon/1',
        '/nodes/hours/holidays/0',
      ]);
    });
  });

  describe('when a flow transfers calls', () => {
    const flow = aFlowInput();
    const raw = withNode(flow, 'billing', {
      type: 'transfer',
      to: '+14155550123',
      on: { failure: 'goodbye' },
    });

    it('refuses a destination that is not on the allow-list', () => {
      const [problem] = problemsOf(raw, {
        transferAllowlist: ['+14155550100'],
      });
      expect(problem?.path).toBe('/nodes/billing/to');
      expect(problem?.message).toMatch(/TRANSFER_ALLOWLIST/);
    });

    it('accepts a destination on the allow-list', () => {
      expect(pathsOf(raw, { transferAllowlist: ['+14155550123'] })).toEqual([]);
    });
  });

  it('refuses menu keys used twice and a choice nobody can pick', () => {
    const flow = aFlowInput();
    const raw = withNode(flow, 'main-menu', {
      type: 'menu',
      prompt: 'Choose.',
      input: ['digits'],
      choices: [
        { key: '1', next: 'billing' },
        { key: '1', next: 'goodbye' },
        { phrases: ['agent'], next: 'billing' },
      ],
      on: { timeout: 'goodbye', noMatch: 'goodbye' },
    });
    expect(pathsOf(raw)).toEqual([
      '/nodes/main-menu/choices/1/key',
      '/nodes/main-menu/choices/2',
    ]);
  });

  it('checks collect lengths and regular expressions, nested ones too', () => {
    const raw = withNodes(aFlowInput(), {
      billing: {
        type: 'collect',
        prompt: 'Your account number?',
        into: 'account',
        minLength: 8,
        maxLength: 6,
        pattern: '[0-9',
        next: 'check',
        on: { invalid: 'goodbye', timeout: 'goodbye' },
      },
      check: {
        type: 'branch',
        conditions: [
          {
            when: { all: [{ variable: { name: 'account', matches: '(a' } }] },
            next: 'goodbye',
          },
        ],
        next: 'goodbye',
      },
    });
    expect(pathsOf(raw)).toEqual([
      '/nodes/billing/maxLength',
      '/nodes/billing/pattern',
      '/nodes/check/conditions/0/when/all/0/variable/matches',
    ]);
  });

  it('refuses patterns that backtrack without bound or run otherwise than written', () => {
    const raw = withNodes(aFlowInput(), {
      billing: {
        type: 'collect',
        prompt: 'Your account number?',
        into: 'account',
        pattern: '([0-9]+)+',
        next: 'check',
        on: { invalid: 'goodbye', timeout: 'goodbye' },
      },
      check: {
        type: 'branch',
        conditions: [
          // Valid without the u flag the call runs it with, not with it.
          {
            when: { variable: { name: 'account', matches: '\\-' } },
            next: 'goodbye',
          },
          {
            when: { variable: { name: 'account', matches: '[0-9]{4,8}' } },
            next: 'goodbye',
          },
        ],
        next: 'goodbye',
      },
    });
    const problems = problemsOf(raw);
    expect(problems.map((problem) => problem.path)).toEqual([
      '/nodes/billing/pattern',
      '/nodes/check/conditions/0/when/variable/matches',
    ]);
    expect(problems[0]?.message).toMatch(/exponential time/);
  });

  it('checks that a subflow exists and is not the flow itself', () => {
    const raw = withNodes(aFlowInput(), {
      billing: { type: 'subflow', flow: 'billing-flow', next: 'again' },
      again: { type: 'subflow', flow: 'main', next: 'goodbye' },
    });
    const exists = (id: string) => id === 'main';
    expect(pathsOf(raw, { flowExists: exists })).toEqual([
      '/nodes/billing/flow',
      '/nodes/again/flow',
    ]);
    expect(pathsOf(raw, { flowExists: () => true })).toEqual([
      '/nodes/again/flow',
    ]);
  });

  it('allows a return node, for flows used as subflows', () => {
    const raw = withNode(aFlowInput(), 'goodbye', { type: 'return' });
    expect(pathsOf(raw)).toEqual([]);
  });

  it('refuses a flow whose id is not the one it is saved as', () => {
    expect(pathsOf(aFlowInput(), { flowId: 'sales' })).toEqual(['/id']);
  });

  it('reports every problem at once, schema and graph alike', () => {
    const raw = {
      ...withNodes(aFlowInput(), {
        greet: { type: 'say', text: 'Hi {{name}}', next: 'main-menu' },
        billing: {
          type: 'queue',
          queue: 'billing',
          on: { unavailable: 'voicemail' },
        },
        lost: { type: 'hangup' },
        odd: { type: 'whisper', next: 'lost' },
      }),
      colour: 'blue',
    };
    expect(pathsOf(raw)).toEqual([
      '/nodes/odd/type',
      '/colour',
      '/nodes/billing/on/unavailable',
      '/nodes/lost',
      '/nodes/odd',
      '/nodes/greet/text',
    ]);
  });

  it('says a node id is malformed once, not also that it is unreachable', () => {
    const raw = withNode(aFlowInput(), 'Bad_Node', { type: 'hangup' });
    const problems = problemsOf(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('/nodes/Bad_Node');
    expect(problems[0]?.message).toMatch(/lower-case words/);
  });

  it('escapes ~ and / in pointers as RFC 6901 says', () => {
    const raw = withNode(aFlowInput(), 'a/b~c', { type: 'hangup' });
    expect(pathsOf(raw)).toEqual(['/nodes/a~1b~0c']);
  });

  it('says an empty flow is empty', () => {
    expect(checkFlowText('')).toEqual({
      ok: false,
      problems: [
        { path: '', message: expect.stringMatching(/empty/) as string },
      ],
    });
  });

  describe('when the text is not YAML', () => {
    it('names the line and column of a syntax error', () => {
      const text = 'id: main\nnodes:\n  greet: {type: say\n';
      const result = checkFlowText(text);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.problems[0]?.path).toBe('');
        expect(result.problems[0]?.message).toMatch(/line 4, column 1/);
      }
    });

    it('refuses two nodes with one id', () => {
      const text = flowYaml(aFlowInput()).replace(
        'goodbye:\n',
        'goodbye:\n    type: hangup\n  goodbye:\n',
      );
      const result = checkFlowText(text);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.problems[0]?.message).toMatch(/keys must be unique/i);
      }
    });

    it('throws BL_ERR_FLOW_INVALID from parseFlowText', () => {
      let thrown: unknown;
      try {
        parseFlowText('a: [');
      } catch (err) {
        thrown = err;
      }
      expect(isBridgelineError(thrown)).toBe(true);
      if (isBridgelineError(thrown)) {
        expect(thrown.code).toBe('BL_ERR_FLOW_INVALID');
        expect(thrown.status).toBe(422);
        expect(thrown.problems[0]?.field).toBe('');
      }
    });
  });
});

describe('the flow JSON Schema', () => {
  const repo = path.join(__dirname, '..', '..');
  const committed = fs.readFileSync(
    path.join(repo, 'ivr-flows', 'schema.json'),
    'utf8',
  );
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const check = ajv.compile(JSON.parse(committed) as object);

  it('is what flow.ts generates; run `npm run schema` when this fails', () => {
    expect(committed).toBe(flowJsonSchemaText());
  });

  it('accepts a good flow and refuses an unknown node type', () => {
    expect(check(aFlowInput())).toBe(true);
    expect(check(withNode(aFlowInput(), 'goodbye', { type: 'hangpu' }))).toBe(
      false,
    );
  });

  it('accepts every flow shipped in ivr-flows, as validation does', () => {
    const shipped = fs
      .readdirSync(path.join(repo, 'ivr-flows'))
      .filter((name) => /^[a-z0-9-]+\.yaml$/.test(name));
    expect(shipped).toContain('main.yaml');
    for (const name of shipped) {
      const text = fs.readFileSync(path.join(repo, 'ivr-flows', name), 'utf8');
      const raw: unknown = YAML.parse(text);
      expect({ name, valid: check(raw) }).toEqual({ name, valid: true });
      expect(checkFlowText(text)).toMatchObject({ ok: true });
    }
  });
});
