import { z } from 'zod';

/**
 * The body jambonz posts to the messaging webhook for an inbound SMS
 * (jambonz docs, "Webhooks", the messaging webhook): carrier, message_sid,
 * account_sid, application_sid, from, to, cc, text and media. What
 * bridgeline acts on is checked strictly; the rest is tolerated, and
 * fields a newer jambonz adds pass through, so an upgrade of jambonz does
 * not turn texts away.
 */

const optionalText = z.string().max(256).nullish();
const number = z.string().trim().min(1).max(40);
// jambonz passes on `to` and `cc` as the carrier gave them: one number or
// several (jambonz-api-server looks the application up by each in turn).
const numbers = z.union([number, z.array(number).min(1).max(20)]);

export const inboundSms = z.looseObject({
  // The key of the message's idempotency: a retry carries the same sid.
  message_sid: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'letters, digits, _ . : - only'),
  account_sid: z.string().min(1).max(128),
  application_sid: optionalText,
  carrier: optionalText,
  // E.164 or national digits: normalised, and refused if no number.
  from: number,
  to: numbers,
  cc: z.union([numbers, z.array(number).max(0)]).nullish(),
  // An MMS may carry media and no text; the limit is generous because a
  // long text is truncated for the timeline rather than lost.
  text: z.string().max(20_000).default(''),
  media: z.array(z.unknown()).max(20).nullish(),
});

export type InboundSms = z.output<typeof inboundSms>;

/** The timeline holds at most 2,000 characters of one SMS. */
const timelineTextMax = 2000;

/** The text as stored: an MMS without words says what it carried. */
export function storedText(sms: InboundSms): string | undefined {
  const text = sms.text.trim();
  if (text !== '') {
    return text.length <= timelineTextMax
      ? text
      : `${text.slice(0, timelineTextMax - 1)}…`;
  }
  const media = sms.media?.length ?? 0;
  if (media > 0) {
    return `(${media} attachment${media === 1 ? '' : 's'}, not stored)`;
  }
  return undefined;
}
