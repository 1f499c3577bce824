import { fullMatch } from '../patterns';
import type { NodeOf } from '../flow';
import type { JambonzVerb } from '../types';
import { answerOf, askAgainOr, promptText } from './gather';
import type { NodeHandler } from './handler';
import { nestedSay, recognizer } from './speech';
import type { Turn } from './turn';

type Collect = NodeOf<'collect'>;

function collectGather(
  node: Collect,
  turn: Turn,
  preface?: string,
): JambonzVerb {
  const voice = turn.voice(node);
  const text = promptText(turn, node.prompt, preface);
  turn.spoken(text);

  const common = {
    verb: 'gather',
    actionHook: turn.hook(),
    timeout: node.timeoutSeconds,
    say: nestedSay(text, voice),
  };
  if (node.input === 'speech') {
    return { ...common, input: ['speech'], recognizer: recognizer(voice, []) };
  }
  return {
    ...common,
    input: ['digits'],
    minDigits: node.minLength,
    maxDigits: node.maxLength,
    finishOnKey: node.finishOnKey,
  };
}

/** Length first, so a pattern only ever runs on a short string. */
export function isValidAnswer(node: Collect, value: string): boolean {
  if (value.length < node.minLength || value.length > node.maxLength) {
    return false;
  }
  if (node.pattern === undefined) {
    return true;
  }
  return fullMatch(node.pattern, value);
}

export const collect: NodeHandler<'collect'> = {
  enter(node, turn) {
    turn.verbs.push(collectGather(node, turn));
    return { wait: true };
  },

  resume(node, payload, turn) {
    const answer = answerOf(payload);
    if (answer.kind === 'none') {
      const ask = () => collectGather(node, turn);
      return askAgainOr(turn, node.retries, ask, node.on.timeout);
    }
    turn.heard(answer.value);
    if (isValidAnswer(node, answer.value)) {
      turn.state.vars[node.into] = answer.value;
      return { next: node.next };
    }
    const ask = () => collectGather(node, turn, node.invalidPrompt);
    return askAgainOr(turn, node.retries, ask, node.on.invalid);
  },
};
