import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { flowSchema, type Flow, type NodeType } from '../../src/ivr/flow';
import { handlers } from '../../src/ivr/nodes';
import { parseScenarios, scenarioCard } from '../../src/ivr/scenario-file';
import { simulate } from '../../src/ivr/simulator';
import type {
  ActionPayload,
  StepContext,
  StepResult,
} from '../../src/ivr/types';
import {
  aCard,
  aContext,
  aConversation,
  aFlow,
  expectValidVerbs,
  pressed,
  reply,
  said,
  silence,
  startCall,
} from '../support/ivr-factories';

/**
 * jambonz refuses an application whose verbs break its specification, and
 * a refused answer drops the caller. These tests hold every answer the
 * engine can give to @jambonz/verb-specifications.
 */

const flowsDir = path.join(__dirname, '..', '..', 'ivr-flows');

type Payload = Omit<ActionPayload, 'call_sid'>;

interface Tour {
  flow: Flow;
  context: StepContext;
  payloads: Payload[];
}

/** The first step of a call, then one step per payload. */
function walk({ flow, context, payloads }: Tour): StepResult[] {
  const results = [startCall(flow, context)];
  for (const payload of payloads) {
    const last = results.at(-1);
    if (!last || last.state.awaiting === undefined) {
      break;
    }
    const current = last.state.flowId === flow.id ? flow : subflow;
    results.push(reply(current, last, payload, context));
  }
  return results;
}

const subflow = aFlow(
  {
    aside: { type: 'say', text: 'In the subflow.', next: 'back' },
    back: { type: 'return' },
  },
  { id: 'aside' },
);

const everything = aFlow(
  {
    open: {
      type: 'hours',
      timezone: 'America/New_York',
      weekly: { tue: ['09:00-17:00'] },
      on: { open: 'hello', closed: 'hello' },
    },
    hello: { type: 'say', text: 'Hello {{customer.name}}.', next: 'music' },
    music: {
      type: 'play',
      url: 'https://cdn.example.com/hold.mp3',
      next: 'mark',
    },
    mark: { type: 'set', values: { seen: 'yes' }, next: 'route' },
    route: {
      type: 'branch',
      conditions: [{ when: { caller: 'known' }, next: 'jump' }],
      next: 'jump',
    },
    jump: { type: 'goto', target: 'menu' },
    menu: {
      type: 'menu',
      prompt: 'Press 1 or say next.',
      voice: 'Joanna',
      choices: [{ key: '1', phrases: ['next'], next: 'pin' }],
      noMatchPrompt: 'Sorry.',
      on: { timeout: 'pin', noMatch: 'pin' },
    },
    pin: {
      type: 'collect',
      prompt: 'Your PIN, then hash.',
      into: 'pin',
      minLength: 4,
      maxLength: 4,
      invalidPrompt: 'Four digits, please.',
      next: 'reason',
      on: { invalid: 'reason', timeout: 'reason' },
    },
    reason: {
      type: 'collect',
      prompt: 'Why are you calling?',
      input: 'speech',
      language: 'en-GB',
      into: 'reason',
      next: 'side',
      on: { invalid: 'side', timeout: 'side' },
    },
    side: { type: 'subflow', flow: 'aside', next: 'agents' },
    agents: {
      type: 'queue',
      queue: 'support',
      prompt: 'Finding an agent.',
      on: { unavailable: 'desk' },
    },
    desk: {
      type: 'transfer',
      to: '+14155550100',
      prompt: 'Transferring.',
      on: { failure: 'pbx' },
    },
    pbx: {
      type: 'transfer',
      to: 'sip:desk@pbx.example.com',
      on: { failure: 'link' },
    },
    link: {
      type: 'handoff',
      channel: 'sms',
      prompt: 'Link sent.',
      next: 'later',
      on: { unavailable: 'later' },
    },
    later: {
      type: 'callback',
      prompt: 'We will call back.',
      next: 'message',
      on: { unavailable: 'message' },
    },
    message: { type: 'voicemail', prompt: 'After the tone.', next: 'bye' },
    bye: { type: 'hangup', prompt: 'Goodbye {{vars.pin}}.' },
  },
  { id: 'everything' },
);

const capable = aContext({
  card: aCard({}, [aConversation()]),
  flows: (id) => (id === 'aside' ? { flow: subflow, version: 1 } : undefined),
  transferAllowlist: ['+14155550100', 'sip:desk@pbx.example.com'],
  capabilities: {
    queue: { available: () => true },
    handoff: { available: () => true },
    callback: { available: () => true },
  },
});

const tours: [string, Tour][] = [
  [
    'every node, with every service available',
    {
      flow: everything,
      context: capable,
      payloads: [
        pressed('7'),
        said('next'),
        pressed('12'),
        pressed('1234'),
        said('my bill'),
        { queue_result: 'leave' },
        { dial_call_status: 'busy' },
        { dial_call_status: 'no-answer' },
        { recording_url: 'https://bl.example.com/r.wav', duration: 3 },
      ],
    },
  ],
  [
    'every node, with no service and nothing allowed',
    {
      flow: everything,
      context: aContext({ flows: capable.flows }),
      // Three asks each for the menu and both collects, then no recording.
      payloads: [...Array.from({ length: 9 }, silence), {}],
    },
  ],
  [
    'a transfer that completes',
    {
      flow: { ...everything, start: 'desk' },
      context: capable,
      payloads: [{ dial_call_status: 'completed' }],
    },
  ],
  [
    'a queue call bridged to an agent',
    {
      flow: { ...everything, start: 'agents' },
      context: capable,
      payloads: [{ queue_result: 'bridged' }],
    },
  ],
  [
    'a flow that breaks',
    {
      flow: { ...everything, start: 'missing-node' },
      context: capable,
      payloads: [],
    },
  ],
];

function endsWithNextInstruction(result: StepResult): boolean {
  const last = result.verbs.at(-1);
  return last?.verb === 'hangup' || typeof last?.actionHook === 'string';
}

describe('unit: the verbs the IVR engine answers with', () => {
  describe.each(tours)('when a call goes through %s', (_name, tour) => {
    const results = walk(tour);

    it('passes the jambonz verb specification at every step', () => {
      for (const result of results) {
        expect(() => {
          expectValidVerbs(result.verbs);
        }).not.toThrow();
      }
    });

    it('never leaves jambonz without a next instruction', () => {
      expect(results.every(endsWithNextInstruction)).toBe(true);
    });
  });

  it('covers every node type in the tours', () => {
    const visited = new Set<NodeType>();
    for (const [, tour] of tours) {
      for (const result of walk(tour)) {
        for (const entry of result.state.path) {
          const [flowId, nodeId] = entry.includes('/')
            ? entry.split('/')
            : [tour.flow.id, entry];
          const flow = flowId === subflow.id ? subflow : tour.flow;
          const node = flow.nodes[nodeId ?? ''];
          if (node) {
            visited.add(node.type);
          }
        }
      }
    }

    expect([...visited].sort()).toEqual(Object.keys(handlers).sort());
  });

  it('rejects a verb jambonz would refuse, so the checks above can fail', () => {
    expect(() => {
      expectValidVerbs([{ verb: 'say', text: 'x', synthesizer: {} }]);
    }).toThrow(/vendor/);
  });

  describe('when the shipped flows run their scenarios', () => {
    const files = fs
      .readdirSync(flowsDir)
      .filter((name) => name.endsWith('.scenarios.yaml'));

    it('finds the main flow scenarios', () => {
      expect(files).toContain('main.scenarios.yaml');
    });

    it.each(files)('%s: every step passes the specification', (file) => {
      const flowFile = path.join(flowsDir, file.replace('.scenarios', ''));
      const flow = flowSchema.parse(
        YAML.parse(fs.readFileSync(flowFile, 'utf8')),
      );
      const parsed = parseScenarios(
        fs.readFileSync(path.join(flowsDir, file), 'utf8'),
      );
      if (!parsed.ok) {
        throw new Error(parsed.problems.join('\n'));
      }

      let steps = 0;
      for (const scenario of parsed.file.scenarios) {
        const card = scenarioCard(scenario);
        const run = simulate(flow, {
          ...(card === undefined ? {} : { card }),
          now: new Date(scenario.now),
          inputs: scenario.inputs,
        });
        for (const simStep of run.steps) {
          steps += 1;
          expectValidVerbs(simStep.verbs);
          const last = simStep.verbs.at(-1);
          expect(
            last?.verb === 'hangup' || typeof last?.actionHook === 'string',
          ).toBe(true);
        }
      }
      expect(steps).toBeGreaterThan(parsed.file.scenarios.length);
    });
  });
});
