/**
 * The keywords a texter may send instead of a message. US carriers and the
 * CTIA Messaging Principles and Best Practices require every programme to
 * honour STOP (and its synonyms) and HELP; carriers match them as the whole
 * message, in any case; bridgeline also ignores surrounding blanks and
 * trailing punctuation ("Stop.", "HELP?"). "Stop calling me at work" is a message, not
 * an opt-out: matching inside sentences would unsubscribe people who were
 * only talking.
 */

export type SmsKeyword = 'stop' | 'start' | 'help' | 'callback';

const keywords: Record<string, SmsKeyword> = {
  STOP: 'stop',
  STOPALL: 'stop',
  UNSUBSCRIBE: 'stop',
  CANCEL: 'stop',
  END: 'stop',
  QUIT: 'stop',
  START: 'start',
  UNSTOP: 'start',
  HELP: 'help',
  'CALL ME': 'callback',
  CALLBACK: 'callback',
  'CALL BACK': 'callback',
};

/** The keyword the whole text is, or undefined for an ordinary message. */
export function parseKeyword(text: string): SmsKeyword | undefined {
  const word = text
    .trim()
    .replace(/[.!?]+$/, '')
    .replace(/\s+/g, ' ')
    .toUpperCase();
  return Object.hasOwn(keywords, word) ? keywords[word] : undefined;
}

/** What bridgeline answers each keyword with; short enough for one SMS. */
export const keywordReplies = {
  stop:
    'You are unsubscribed and will get no more texts from us. ' +
    'Reply START to subscribe again.',
  start: 'You are subscribed again. Reply HELP for help, STOP to unsubscribe.',
  help:
    'Reply to this number to reach our team. Reply CALL ME for a call ' +
    'back, STOP to unsubscribe. Message and data rates may apply.',
  callbackUnavailable:
    'We cannot book call backs at the moment. Reply here and our team ' +
    'will answer by text.',
  callbackRefused:
    'We cannot call you back at this number right now. Reply here and ' +
    'our team will answer by text.',
} as const;

/** The answer to CALL ME once the call back is booked. */
export function callbackBookedReply(
  position: number,
  estimatedWaitSeconds: number,
): string {
  const minutes = Math.max(1, Math.round(estimatedWaitSeconds / 60));
  return (
    `We will call you back. You are number ${position} in line, ` +
    `about ${minutes} min. Reply STOP to unsubscribe.`
  );
}
