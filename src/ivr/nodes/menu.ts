import type { NodeOf } from '../flow';
import type { JambonzVerb } from '../types';
import { answerOf, askAgainOr, promptText, type Answer } from './gather';
import type { NodeHandler } from './handler';
import { nestedSay, recognizer } from './speech';
import type { Turn } from './turn';

type Menu = NodeOf<'menu'>;
type Choice = Menu['choices'][number];

/** One gather that listens for a key or a phrase while the prompt plays. */
function menuGather(node: Menu, turn: Turn, preface?: string): JambonzVerb {
  const voice = turn.voice(node);
  const text = promptText(turn, node.prompt, preface);
  turn.spoken(text);

  const gather: JambonzVerb = {
    verb: 'gather',
    actionHook: turn.hook(),
    input: [...node.input],
    timeout: node.timeoutSeconds,
    say: nestedSay(text, voice),
  };
  if (node.input.includes('digits')) {
    gather.numDigits = 1;
  }
  if (node.input.includes('speech')) {
    const hints = node.choices.flatMap((choice) => choice.phrases ?? []);
    gather.recognizer = recognizer(voice, hints);
  }
  return gather;
}

/**
 * A key picks the choice with that key. Speech picks the first choice with
 * a phrase inside the transcript, ignoring case; a transcript that is just
 * a key ("2", as recognisers often write a spoken digit) picks that key.
 */
export function pickChoice(node: Menu, answer: Answer): Choice | undefined {
  if (answer.kind === 'none') {
    return undefined;
  }
  if (answer.kind === 'digits') {
    return node.choices.find((choice) => choice.key === answer.value);
  }
  const said = answer.value.toLowerCase();
  const bare = said.replace(/[\s.,!?]/g, '');
  return (
    node.choices.find((choice) =>
      (choice.phrases ?? []).some((p) => said.includes(p.toLowerCase())),
    ) ?? node.choices.find((choice) => choice.key === bare)
  );
}

export const menu: NodeHandler<'menu'> = {
  enter(node, turn) {
    turn.verbs.push(menuGather(node, turn));
    return { wait: true };
  },

  resume(node, payload, turn) {
    const answer = answerOf(payload);
    if (answer.kind === 'none') {
      const ask = () => menuGather(node, turn, node.noInputPrompt);
      return askAgainOr(turn, node.retries, ask, node.on.timeout);
    }
    turn.heard(answer.value);
    const choice = pickChoice(node, answer);
    if (choice) {
      return { next: choice.next };
    }
    const ask = () => menuGather(node, turn, node.noMatchPrompt);
    return askAgainOr(turn, node.retries, ask, node.on.noMatch);
  },
};
