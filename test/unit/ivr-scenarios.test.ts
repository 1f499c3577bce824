import fs from 'node:fs';
import path from 'node:path';
import { flowSchema, type Flow } from '../../src/ivr/flow';
import { parseScenarios, scenarioCard } from '../../src/ivr/scenario-file';
import { checkScenarioText, scenarioChecker } from '../../src/ivr/scenarios';
import { simulate } from '../../src/ivr/simulator';
import { parseFlowText, validateFlow } from '../../src/ivr/validate';
import { aFlow, aTuesdayMorning } from '../support/ivr-factories';

const flowsDir = path.join(__dirname, '..', '..', 'ivr-flows');
const read = (name: string) =>
  fs.readFileSync(path.join(flowsDir, name), 'utf8');

const mainFlow: Flow = flowSchema.parse(parseFlowText(read('main.yaml')));

const tiny = aFlow({
  ask: {
    type: 'menu',
    prompt: 'Press 1 for sales.',
    choices: [{ key: '1', next: 'sales' }],
    retries: 0,
    on: { timeout: 'bye', noMatch: 'bye' },
  },
  sales: { type: 'voicemail', prompt: 'Sales is out.', next: 'bye' },
  bye: { type: 'hangup', prompt: 'Goodbye.' },
});

/** A scenario file for `tiny` with one scenario. */
const oneScenario = (scenario: string) =>
  `scenarios:\n  - now: '2026-12-08T10:00:00-05:00'\n${scenario}`;

describe('unit: IVR scenarios and the simulator', () => {
  describe('when the shipped main flow is checked', () => {
    it('passes the flow validator', () => {
      const result = validateFlow(parseFlowText(read('main.yaml')));

      expect(result.ok ? [] : result.problems).toEqual([]);
    });

    const results = checkScenarioText(mainFlow, read('main.scenarios.yaml'));

    it.each(results.map((r) => [r.name, r] as const))(
      'passes: %s',
      (_name, result) => {
        expect(result.problems).toEqual([]);
      },
    );
  });

  describe('when a scenario expects something else than happens', () => {
    it('names a path that differs', () => {
      const [result] = checkScenarioText(
        tiny,
        oneScenario(
          '    name: wrong way\n    inputs: [{ digits: 1 }]\n' +
            '    expect: { path: [ask, bye] }',
        ),
      );

      expect(result).toMatchObject({
        name: 'wrong way',
        passed: false,
        problems: ['path: expected [ask, bye], got [ask, sales]'],
      });
    });

    it('names a prompt that was not heard, or heard out of order', () => {
      const [result] = checkScenarioText(
        tiny,
        oneScenario(
          '    name: out of order\n    inputs: [timeout]\n' +
            '    expect: { prompts: [Goodbye, Press 1] }',
        ),
      );

      expect(result?.problems).toEqual([
        'prompts: "Press 1" was not heard in the expected order',
      ]);
    });

    it('names an ending that differs, and inputs left over', () => {
      const [result] = checkScenarioText(
        tiny,
        oneScenario(
          '    name: too many\n    inputs: [timeout, { digits: 1 }]\n' +
            '    expect: { ends: voicemail }',
        ),
      );

      expect(result?.problems).toEqual([
        'ends: expected voicemail, got hangup',
        'inputs: 1 left over after the call ended',
      ]);
    });

    it('fails a call that ends in an apology', () => {
      const broken = { ...tiny, start: 'gone' };
      const [result] = checkScenarioText(
        broken,
        oneScenario('    name: broken\n    expect: { ends: hangup }'),
      );

      expect(result?.problems).toEqual([
        'the call ended in an apology: ' +
          'node gone does not exist in flow test-flow',
      ]);
    });

    it('passes when the expectations hold', () => {
      const [result] = checkScenarioText(
        tiny,
        oneScenario(
          '    name: sales\n    inputs: [{ digits: 1 }]\n' +
            '    expect:\n      pathIncludes: [sales]\n' +
            '      prompts: [Press 1, Sales is out]\n      ends: voicemail',
        ),
      );

      expect(result).toMatchObject({ passed: true, problems: [] });
    });
  });

  describe('when a scenario file is malformed', () => {
    it('names each offending field', () => {
      const parsed = parseScenarios(
        'scenarios:\n  - name: x\n    now: yesterday\n' +
          '    inputs: [{ digits: abc }]\n    expect: {}',
      );

      expect(parsed.ok ? [] : parsed.problems).toEqual([
        'scenarios.0.now: Invalid ISO datetime',
        'scenarios.0.inputs.0.digits: keys to press, such as 1 or 1234#',
        'scenarios.0.expect: ' +
          'expect at least one of path, pathIncludes, prompts, ends',
      ]);
    });

    it('reports a YAML syntax error with its line as one failed result', () => {
      const results = checkScenarioText(tiny, 'scenarios: [ {name: x');

      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({
        name: 'scenario file',
        passed: false,
      });
      expect(results[0]?.problems[0]).toMatch(/line 1/);
    });

    it('refuses scenarios written for another flow', () => {
      const results = checkScenarioText(
        tiny,
        'flow: main\n' +
          oneScenario('    name: x\n    expect: { ends: hangup }'),
      );

      expect(results[0]?.problems).toEqual([
        'the file tests flow main, not test-flow',
      ]);
    });
  });

  describe('when the flow store asks before publishing', () => {
    it('runs the scenario file, and passes a flow that has none', async () => {
      const check = scenarioChecker();

      await expect(check(tiny, undefined)).resolves.toEqual([]);
      const results = await check(
        tiny,
        oneScenario('    name: x\n    expect: { ends: voicemail }'),
      );
      expect(results.map((r) => r.passed)).toEqual([false]);
    });
  });

  describe('when a scenario describes a known caller', () => {
    it('builds the card the IVR would see, conversations dated by hoursAgo', () => {
      const card = scenarioCard({
        now: '2026-12-08T10:00:00-05:00',
        caller: {
          name: 'Ada Lovelace',
          tier: 'gold',
          conversations: [
            { subject: 'refund', channel: 'chat', status: 'open', hoursAgo: 2 },
            {
              subject: 'old',
              channel: 'email',
              status: 'closed',
              hoursAgo: 50,
            },
          ],
        },
      });

      expect(card?.customer).toMatchObject({
        name: 'Ada Lovelace',
        tier: 'gold',
      });
      expect(card?.conversations.open).toEqual([
        expect.objectContaining({
          subject: 'refund',
          currentChannel: 'chat',
          updatedAt: '2026-12-08T13:00:00.000Z',
        }),
      ]);
      expect(card?.conversations.recent).toHaveLength(1);
      expect(
        scenarioCard({ now: '2026-12-08T10:00:00Z', caller: 'unknown' }),
      ).toBeUndefined();
    });
  });

  describe('when the simulator runs a scripted caller', () => {
    it('returns each step with its path, prompts and what it awaits', () => {
      const run = simulate(tiny, {
        now: aTuesdayMorning,
        inputs: [{ digits: '1' }, { recording: 'https://r.example.com/1.wav' }],
      });

      expect(
        run.steps.map(({ input, path: nodes, prompts, awaiting, ended }) => ({
          input,
          nodes,
          prompts,
          awaiting,
          ended,
        })),
      ).toEqual([
        {
          input: undefined,
          nodes: ['ask'],
          prompts: ['Press 1 for sales.'],
          awaiting: 'ask',
          ended: false,
        },
        {
          input: { digits: '1' },
          nodes: ['ask', 'sales'],
          prompts: ['Sales is out.'],
          awaiting: 'sales',
          ended: false,
        },
        {
          input: { recording: 'https://r.example.com/1.wav' },
          nodes: ['sales', 'bye'],
          prompts: ['Goodbye.'],
          awaiting: undefined,
          ended: true,
        },
      ]);
      expect(run.path).toEqual(['ask', 'sales', 'bye']);
      expect(run.events.map((e) => e.type)).toContain('voicemail');
    });

    it('stops where the caller hangs up', () => {
      const run = simulate(tiny, {
        now: aTuesdayMorning,
        inputs: ['hangup', { digits: '1' }],
      });

      expect(run).toMatchObject({ hungUp: true, unusedInputs: 1 });
      expect(run.steps).toHaveLength(1);
    });

    it('gives the same result for the same script', () => {
      const script = { now: aTuesdayMorning, inputs: ['timeout' as const] };

      expect(simulate(tiny, script)).toEqual(simulate(tiny, script));
    });
  });
});
