import { randomUUID } from 'node:crypto';

/**
 * What jambonz posts to the messaging webhook for an inbound SMS (jambonz
 * docs, "Webhooks"): the sender in `from`, our number in `to`.
 */
export function anInboundSms(
  from: string,
  text: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    carrier: 'test-carrier',
    message_sid: randomUUID(),
    account_sid: randomUUID(),
    application_sid: randomUUID(),
    from,
    to: '+16285550199',
    cc: [],
    text,
    media: [],
    ...overrides,
  };
}
