import type { ActionPayload, JambonzVerb } from '../types';
import type { Transition } from './handler';
import type { Turn } from './turn';

/**
 * What the caller answered to a gather (jambonz docs, "gather": the action
 * hook carries `digits` for DTMF, `speech.alternatives` for speech, and a
 * `reason` such as timeout when neither came).
 */
export type Answer =
  { kind: 'digits' | 'speech'; value: string } | { kind: 'none' };

export function answerOf(payload: ActionPayload): Answer {
  const digits = typeof payload.digits === 'string' ? payload.digits : '';
  if (digits.trim() !== '') {
    return { kind: 'digits', value: digits.trim() };
  }
  const alternatives = payload.speech?.alternatives;
  const first = Array.isArray(alternatives) ? alternatives[0] : undefined;
  const transcript =
    typeof first?.transcript === 'string' ? first.transcript.trim() : '';
  if (transcript !== '') {
    return { kind: 'speech', value: transcript };
  }
  return { kind: 'none' };
}

/**
 * Asks again while the node has retries left, else takes the way out. The
 * first ask counts as attempt 1, so `retries: 2` asks three times in all.
 */
export function askAgainOr(
  turn: Turn,
  retries: number,
  ask: () => JambonzVerb,
  wayOut: string,
): Transition {
  if (turn.state.attempts <= retries) {
    turn.state.attempts += 1;
    turn.verbs.push(ask());
    return { wait: true };
  }
  return { next: wayOut };
}

/** A prompt, with a retry message before it when the caller is re-asked. */
export function promptText(
  turn: Turn,
  prompt: string,
  preface: string | undefined,
): string {
  const text = turn.render(prompt);
  return preface === undefined ? text : `${turn.render(preface)} ${text}`;
}
