import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { scenarioCard } from './ivr/scenario-file';
import { checkScenarioText } from './ivr/scenarios';
import { simulate, type SimInput, type SimResult } from './ivr/simulator';
import { checkFlowText } from './ivr/validate';
import type { Flow } from './ivr/flow';

/**
 * `bridgeline validate|simulate|scenarios <flow.yaml>`: try a flow from the
 * repository before it takes a call. Exit status 0 means valid, run, or all
 * scenarios passed; 1 means problems were printed; 2 means a usage error.
 */

const usage = `usage:
  bridgeline validate <flow.yaml>
  bridgeline simulate <flow.yaml> [--from +14155550100] [--name "Ada"]
      [--tier gold] [--conversation "subject,channel,hoursAgo"]
      [--now 2026-12-02T15:00:00Z] [--input 1|timeout|hangup|say:words|dial:busy]...
      [--json]
  bridgeline scenarios <flow.yaml> [--file flow.scenarios.yaml]
`;

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      name: { type: 'string' },
      tier: { type: 'string' },
      conversation: { type: 'string', multiple: true },
      now: { type: 'string' },
      input: { type: 'string', multiple: true },
      file: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [command, file] = positionals;
  if (
    !command ||
    !file ||
    !['validate', 'simulate', 'scenarios'].includes(command)
  ) {
    process.stderr.write(usage);
    return 2;
  }
  const flow = await loadFlow(file);
  if (!flow) {
    return 1;
  }
  if (command === 'validate') {
    out(
      `${file}: valid flow "${flow.id}" with ${Object.keys(flow.nodes).length} nodes`,
    );
    return 0;
  }
  if (command === 'scenarios') {
    return runScenarioFile(flow, values.file ?? scenarioFileFor(file));
  }

  const now = new Date(values.now ?? Date.now());
  if (Number.isNaN(now.getTime())) {
    process.stderr.write(`--now: not a date: ${values.now ?? ''}\n`);
    return 2;
  }
  const known = values.name !== undefined || values.tier !== undefined;
  const card = known
    ? scenarioCard({
        now: now.toISOString(),
        caller: {
          ...(values.name === undefined ? {} : { name: values.name }),
          ...(values.tier === undefined ? {} : { tier: values.tier }),
          conversations: (values.conversation ?? []).map(parseConversation),
        },
      })
    : undefined;
  const result = simulate(flow, {
    ...(values.from === undefined ? {} : { from: values.from }),
    ...(card === undefined ? {} : { card }),
    now,
    inputs: (values.input ?? []).map(parseInput),
  });
  out(
    values.json === true ? JSON.stringify(result, null, 2) : describe(result),
  );
  return 0;
}

async function loadFlow(file: string): Promise<Flow | undefined> {
  const text = await fs.readFile(file, 'utf8');
  const checked = checkFlowText(text);
  if (checked.ok) {
    return checked.flow;
  }
  for (const problem of checked.problems) {
    out(`${file}: ${problem.path || '/'}: ${problem.message}`);
  }
  return undefined;
}

function scenarioFileFor(flowFile: string): string {
  const { dir, name } = path.parse(flowFile);
  return path.join(dir, `${name}.scenarios.yaml`);
}

async function runScenarioFile(flow: Flow, file: string): Promise<number> {
  const results = checkScenarioText(flow, await fs.readFile(file, 'utf8'));
  for (const result of results) {
    out(`${result.passed ? 'pass' : 'FAIL'}  ${result.name}`);
    for (const problem of result.problems) {
      out(`      ${problem}`);
    }
  }
  const failed = results.filter((result) => !result.passed).length;
  out(`${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

function parseInput(text: string): SimInput {
  if (text === 'timeout' || text === 'hangup') {
    return text;
  }
  if (text.startsWith('say:')) {
    return { speech: text.slice(4) };
  }
  if (text.startsWith('dial:')) {
    return { dial: text.slice(5) };
  }
  return { digits: text };
}

function parseConversation(text: string) {
  const [subject = '', channel = 'chat', hoursAgo = '1'] = text.split(',');
  const channels = ['voice', 'chat', 'sms', 'email'] as const;
  const known = channels.find((c) => c === channel.trim()) ?? 'chat';
  return {
    subject: subject.trim(),
    channel: known,
    status: 'open' as const,
    hoursAgo: Number(hoursAgo),
  };
}

function describe(result: SimResult): string {
  const lines: string[] = [];
  result.steps.forEach((stepResult, index) => {
    const input =
      stepResult.input === undefined
        ? 'call'
        : JSON.stringify(stepResult.input);
    lines.push(`step ${index + 1} (${input}): ${stepResult.path.join(' -> ')}`);
    for (const prompt of stepResult.prompts) {
      lines.push(`  says: ${prompt}`);
    }
    if (stepResult.awaiting !== undefined) {
      lines.push(`  waits at: ${stepResult.awaiting}`);
    }
    if (stepResult.fault !== undefined) {
      lines.push(`  fault: ${stepResult.fault}`);
    }
  });
  lines.push(`path: ${result.path.join(' -> ')}`);
  return lines.join('\n');
}
