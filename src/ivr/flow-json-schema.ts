import { z } from 'zod';
import * as flow from './flow';

/**
 * The JSON Schema of a flow file, derived from the zod schema in flow.ts so
 * the two cannot drift: `npm run schema` writes it to ivr-flows/schema.json
 * and a test fails when the committed file is stale. It describes what an
 * admin writes (zod's input side), so fields with defaults are optional.
 * Editors use it for completion; bridgeline itself validates with validate.ts,
 * which also checks what JSON Schema cannot (transitions, reachability).
 */

export const flowSchemaId = 'urn:bridgeline:schema:ivr-flow';

type Meta = { id?: string; title?: string; description?: string } & Record<
  string,
  unknown
>;

function registry(): z.core.$ZodRegistry<Meta> {
  const metadata = z.registry<Meta>();
  const nodes: [z.ZodType, string, string][] = [
    [flow.sayNode, 'say', 'Speak a prompt, then go on to next.'],
    [flow.playNode, 'play', 'Play an audio file, then go on to next.'],
    [flow.menuNode, 'menu', 'Offer choices by key or by voice.'],
    [flow.collectNode, 'collect', 'Collect digits or speech into a variable.'],
    [flow.branchNode, 'branch', 'Take the first condition that holds.'],
    [flow.hoursNode, 'hours', 'Open or closed, by business hours.'],
    [flow.queueNode, 'queue', 'Hand the call to an agent queue.'],
    [flow.transferNode, 'transfer', 'Dial an allow-listed number or URI.'],
    [flow.handoffNode, 'handoff', 'Move the caller to SMS, chat or email.'],
    [flow.callbackNode, 'callback', 'Book a call back.'],
    [flow.voicemailNode, 'voicemail', 'Record a message.'],
    [flow.setNode, 'set', 'Set flow variables from templates.'],
    [flow.gotoNode, 'goto', 'Jump to another node.'],
    [flow.subflowNode, 'subflow', 'Run another flow, then carry on.'],
    [flow.returnNode, 'return', 'End a subflow; the caller flow carries on.'],
    [flow.hangupNode, 'hangup', 'Say goodbye and end the call.'],
  ];
  for (const [schema, type, description] of nodes) {
    metadata.add(schema, {
      id: `${type}Node`,
      title: `${type} node`,
      description,
    });
  }
  // zod checks "at least one test" with a refinement JSON Schema cannot
  // carry; minProperties says the same thing.
  metadata.add(flow.condition, {
    id: 'condition',
    title: 'condition',
    description: 'Holds when every test it names holds.',
    minProperties: 1,
  });
  return metadata;
}

export function flowJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(flow.flowSchema, {
    io: 'input',
    target: 'draft-2020-12',
    metadata: registry(),
  });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: flowSchemaId,
    title: 'bridgeline IVR flow',
    description:
      'A phone IVR flow: named nodes, each with a type, its parameters and ' +
      'its outcomes. Generated from src/ivr/flow.ts by `npm run schema`; ' +
      'do not edit by hand.',
    ...rest,
  };
}

/** The file's exact text: two-space JSON and a final newline. */
export function flowJsonSchemaText(): string {
  return `${JSON.stringify(flowJsonSchema(), null, 2)}\n`;
}
