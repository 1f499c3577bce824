import type { Condition, FlowNode, NodeOf } from './flow';
import { patternProblem } from './patterns';
import { templateProblems } from './template';
import type { ValidateOptions } from './validate';

/**
 * What one parsed node holds that its schema cannot judge: templates name
 * known placeholders, menu choices can be told apart and picked, regular
 * expressions compile and cannot backtrack without bound (patterns.ts),
 * time zones and dates exist, transfers stay on the allow-list, subflows
 * name a flow.
 */

export interface NodeCheck {
  at: (segments: PropertyKey[], message: string) => void;
  options: ValidateOptions;
  flowId: string | undefined;
}

const templateFields = [
  'text',
  'prompt',
  'noInputPrompt',
  'noMatchPrompt',
  'invalidPrompt',
] as const;

export function checkNode(
  node: FlowNode,
  rawNode: unknown,
  check: NodeCheck,
): void {
  const fields = node as Partial<Record<string, unknown>>;
  for (const field of templateFields) {
    const text = fields[field];
    if (typeof text === 'string') {
      checkTemplate(text, [field], check);
    }
  }

  switch (node.type) {
    case 'set':
      for (const [name, text] of Object.entries(node.values)) {
        checkTemplate(text, ['values', name], check);
      }
      return;
    case 'menu':
      checkMenu(node, check);
      return;
    case 'collect':
      checkCollect(node, rawNode, check);
      return;
    case 'branch':
      node.conditions.forEach((entry, i) => {
        checkCondition(entry.when, ['conditions', i, 'when'], check);
      });
      return;
    case 'hours':
      checkHours(node, check);
      return;
    case 'transfer': {
      const allowed = check.options.transferAllowlist;
      if (allowed && !allowed.includes(node.to)) {
        check.at(
          ['to'],
          `${node.to} is not on the transfer allow-list ` +
            '(TRANSFER_ALLOWLIST); add it there or pick a listed destination',
        );
      }
      return;
    }
    case 'subflow':
      if (node.flow === check.flowId) {
        check.at(['flow'], 'a flow cannot run itself as a subflow');
      } else if (check.options.flowExists?.(node.flow) === false) {
        check.at(
          ['flow'],
          `no flow "${node.flow}" exists; save and publish it first`,
        );
      }
      return;
    default:
      return;
  }
}

function checkTemplate(
  text: string,
  segments: PropertyKey[],
  check: NodeCheck,
): void {
  for (const problem of templateProblems(text)) {
    check.at(segments, problem.message);
  }
}

function checkMenu(node: NodeOf<'menu'>, check: NodeCheck): void {
  const keys = new Map<string, number>();
  const phrases = new Map<string, number>();
  node.choices.forEach((choice, i) => {
    if (choice.key !== undefined) {
      const first = keys.get(choice.key);
      if (first === undefined) {
        keys.set(choice.key, i);
      } else {
        check.at(
          ['choices', i, 'key'],
          `key ${choice.key} is already taken by choice ${first}`,
        );
      }
    }
    (choice.phrases ?? []).forEach((phrase, j) => {
      const word = phrase.trim().toLowerCase();
      const first = phrases.get(word);
      if (first === undefined) {
        phrases.set(word, i);
      } else if (first !== i) {
        check.at(
          ['choices', i, 'phrases', j],
          `"${phrase}" is already a phrase of choice ${first}`,
        );
      }
    });
    const byKey = node.input.includes('digits') && choice.key !== undefined;
    const bySpeech =
      node.input.includes('speech') && (choice.phrases?.length ?? 0) > 0;
    if (!byKey && !bySpeech) {
      check.at(
        ['choices', i],
        'a caller can never pick this choice: give it a key (digits) or ' +
          `phrases (speech) for the menu's input (${node.input.join(', ')})`,
      );
    }
  });
}

function checkCollect(
  node: NodeOf<'collect'>,
  rawNode: unknown,
  check: NodeCheck,
): void {
  if (node.maxLength < node.minLength) {
    // Point at whichever bound the admin wrote; the other is a default.
    const written =
      typeof rawNode === 'object' && rawNode !== null && 'maxLength' in rawNode;
    check.at(
      [written ? 'maxLength' : 'minLength'],
      `maxLength (${node.maxLength}) is less than minLength (${node.minLength})`,
    );
  }
  if (node.pattern !== undefined) {
    checkRegExp(node.pattern, ['pattern'], check);
  }
}

function checkCondition(
  condition: Condition,
  segments: PropertyKey[],
  check: NodeCheck,
): void {
  if (condition.variable?.matches !== undefined) {
    checkRegExp(
      condition.variable.matches,
      [...segments, 'variable', 'matches'],
      check,
    );
  }
  for (const list of ['all', 'any'] as const) {
    condition[list]?.forEach((inner, i) => {
      checkCondition(inner, [...segments, list, i], check);
    });
  }
  if (condition.not) {
    checkCondition(condition.not, [...segments, 'not'], check);
  }
}

function checkRegExp(
  source: string,
  segments: PropertyKey[],
  check: NodeCheck,
): void {
  const problem = patternProblem(source);
  if (problem !== undefined) {
    check.at(segments, problem);
  }
}

function checkHours(node: NodeOf<'hours'>, check: NodeCheck): void {
  if (!isTimeZone(node.timezone)) {
    check.at(
      ['timezone'],
      `"${node.timezone}" is not a known IANA time zone; ` +
        'use one such as America/New_York',
    );
  }
  for (const [day, ranges] of Object.entries(node.weekly)) {
    ranges.forEach((range, i) => {
      const [from = '', to = ''] = range.split('-');
      if (from >= to) {
        check.at(
          ['weekly', day, i],
          `${range} ends before it starts; split a range past midnight over two days`,
        );
      }
    });
  }
  node.holidays.forEach((date, i) => {
    const parsed = new Date(`${date}T00:00:00Z`);
    if (
      Number.isNaN(parsed.getTime()) ||
      parsed.toISOString().slice(0, 10) !== date
    ) {
      check.at(['holidays', i], `${date} is not a date in the calendar`);
    }
  });
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
