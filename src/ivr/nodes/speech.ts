import type { JambonzVerb } from '../types';

/**
 * Speech settings as jambonz wants them. The verb specification requires a
 * `vendor` in every synthesizer and recognizer; "default" tells jambonz to
 * use the speech vendor configured on the application (jambonz docs, "say"
 * and "gather": vendor, language and voice fall back to the application's),
 * so a flow names a language and voice without naming a cloud vendor.
 */

export interface Voice {
  language: string;
  voice?: string | undefined;
}

export interface Synthesizer {
  vendor: 'default';
  language: string;
  voice?: string;
}

export function synthesizer(voice: Voice): Synthesizer {
  return {
    vendor: 'default',
    language: voice.language,
    ...(voice.voice === undefined ? {} : { voice: voice.voice }),
  };
}

export function sayVerb(text: string, voice: Voice): JambonzVerb {
  return { verb: 'say', text, synthesizer: synthesizer(voice) };
}

/** The nested `say` of a gather: the same fields without `verb`. */
export function nestedSay(
  text: string,
  voice: Voice,
): { text: string; synthesizer: Synthesizer } {
  return { text, synthesizer: synthesizer(voice) };
}

/** Hints bias recognition towards the words a menu listens for. */
export function recognizer(
  voice: Voice,
  hints: string[],
): { vendor: 'default'; language: string; hints?: string[] } {
  return {
    vendor: 'default',
    language: voice.language,
    ...(hints.length > 0 ? { hints } : {}),
  };
}

export function hangupVerb(): JambonzVerb {
  return { verb: 'hangup' };
}
