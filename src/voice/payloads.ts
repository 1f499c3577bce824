import { z } from 'zod';

/**
 * The bodies jambonz posts to bridgeline's webhooks (jambonz docs,
 * "Webhooks": call hook, action hooks, call status hook). Only the fields
 * bridgeline reads are checked; jambonz adds fields from release to release
 * (trace_id, fs_sip_address, customerData...), so unknown ones are kept.
 */

/**
 * jambonz call sids are UUIDs. The sid becomes part of a Redis hash tag and
 * of a recording's file name, so nothing beyond letters, digits, - and _
 * gets in.
 */
export const callSidPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

const callSid = z
  .string()
  .regex(callSidPattern, 'a jambonz call sid: letters, digits, - and _');
const text = z.string().max(1024);
// jambonz leaves a field it has no value for empty or null, not absent.
const maybeText = text.nullish();
/** The same, with null read as absent: the engine's contract has no nulls. */
const absentIfNull = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((value) => value ?? undefined);

export const callStatuses = [
  'trying',
  'ringing',
  'early-media',
  'in-progress',
  'queued',
  'failed',
  'busy',
  'no-answer',
  'completed',
] as const;
export type CallStatus = (typeof callStatuses)[number];

/** The statuses after which jambonz sends nothing more for the call. */
export const finalStatuses: ReadonlySet<CallStatus> = new Set([
  'completed',
  'failed',
  'busy',
  'no-answer',
]);

export const callPayload = z.looseObject({
  call_sid: callSid,
  direction: z.enum(['inbound', 'outbound']),
  /** The calling party: a number, a SIP user, or anonymous. */
  from: text,
  /** The dialled number, which picks the flow. */
  to: text,
  caller_name: maybeText,
  call_id: maybeText,
  sbc_callid: maybeText,
  // Not used to decide anything: a status this list lacks must not refuse
  // the call.
  call_status: maybeText,
  account_sid: maybeText,
  application_sid: maybeText,
  originating_sip_ip: maybeText,
  originating_sip_trunk_name: maybeText,
  sip: z
    .looseObject({
      // jambonz passes the INVITE's headers as it got them, in any case.
      headers: z.record(z.string(), z.unknown()).optional(),
    })
    .nullish(),
});
export type CallPayload = z.output<typeof callPayload>;

export const actionPayload = z.looseObject({
  call_sid: callSid,
  reason: absentIfNull(text),
  digits: absentIfNull(text),
  speech: absentIfNull(
    z.looseObject({
      is_final: z.boolean().optional(),
      alternatives: z
        .array(
          z.looseObject({
            transcript: z.string().max(4096).optional(),
            confidence: z.number().optional(),
          }),
        )
        .optional(),
    }),
  ),
  dial_call_status: absentIfNull(text),
  dial_sip_status: absentIfNull(z.number().int()),
});
export type ActionBody = z.output<typeof actionPayload>;

export const statusPayload = z.looseObject({
  call_sid: callSid,
  call_status: z.enum(callStatuses),
  sip_status: z.number().int().nullish(),
  sip_reason: maybeText,
  /** Seconds the call lasted; present once it is over. */
  duration: z.number().min(0).nullish(),
  direction: z.enum(['inbound', 'outbound']).nullish(),
});
export type StatusPayload = z.output<typeof statusPayload>;
