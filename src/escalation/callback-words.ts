import type { CallbackReceipt } from './callback-requests';

/**
 * What a customer is told about their callback, on their digital channel.
 * Plain sentences, no data beyond what they asked about.
 */

/** "about 12 minutes", "about 3 hours": rounded up, never "0 minutes". */
export function describeWait(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  if (minutes < 90) {
    return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  const hours = Math.round(minutes / 60);
  return `about ${hours} hours`;
}

export function waitNotice(
  receipt: Extract<CallbackReceipt, { position: number }>,
): string {
  return (
    `We'll call you back. You are number ${receipt.position}; we expect ` +
    `to call you in ${describeWait(receipt.estimatedWaitSeconds)}.`
  );
}

export function gaveUpNotice(attempts: number): string {
  return (
    `We tried to call you back ${attempts} time${attempts === 1 ? '' : 's'} ` +
    "but couldn't reach you. Reply here, or ask for a call back again " +
    'when it suits you.'
  );
}

export const limitNotice =
  "We couldn't call you back just now: this number has had as many calls " +
  'from us as we allow in an hour. Reply here and we will help you.';

export const optedOutNotice =
  "We won't call you back: this number has asked us not to call. Reply " +
  'here and we will help you in writing.';
