import jambonz from '@jambonz/node-client';
import { z } from 'zod';
import { customerIdPattern } from '../context/keys';
import type { JambonzApiTarget } from '../channels/settings';

/**
 * Places a callback through the jambonz REST API (jambonz docs, "Create a
 * call"). The call's hooks point at bridgeline's own webhooks: the call
 * hook runs the callback flow once the customer answers, the status hook
 * says how the call ended. The `tag` is handed back by jambonz in every
 * webhook of the call as `customerData`; it holds ids only.
 */

export const callbackIdPattern = /^cb[0-9a-f]{32}$/;

/** What a callback's call carries through jambonz and back. */
export const callbackTag = z.object({
  bridgelineCallback: z.string().regex(callbackIdPattern),
  customer: z.string().regex(customerIdPattern),
  attempt: z.number().int().min(1).max(10),
});
export type CallbackTag = z.output<typeof callbackTag>;

/** The tag of a webhook body, if it is a callback's; else undefined. */
export function tagOf(body: Record<string, unknown>): CallbackTag | undefined {
  const parsed = callbackTag.safeParse(body.customerData ?? body.tag);
  return parsed.success ? parsed.data : undefined;
}

export interface CallbackDialer {
  /** Resolves with the jambonz call sid; rejects when no call was made. */
  place(to: string, tag: CallbackTag): Promise<string>;
}

/** Seconds a callback rings before jambonz reports no-answer. */
const ringSeconds = 30;

export function jambonzDialer(
  api: JambonzApiTarget,
  from: string,
  publicBaseUrl: () => string,
): CallbackDialer {
  const client = jambonz(api.accountSid, api.apiKey, { baseUrl: api.baseUrl });
  return {
    place(to, tag) {
      const base = publicBaseUrl();
      return client.calls.create({
        from,
        to: { type: 'phone', number: to },
        call_hook: { url: `${base}/jambonz/call`, method: 'POST' },
        call_status_hook: { url: `${base}/jambonz/status`, method: 'POST' },
        timeout: ringSeconds,
        tag,
      });
    },
  };
}

/**
 * Whether a failed create surely placed no call: jambonz answered with an
 * error status, or the connection was refused before a byte was sent. A
 * reset or a timeout may have reached jambonz, so it is not sure.
 */
export function surelyNotPlaced(err: unknown): boolean {
  const { statusCode, code } = (err ?? {}) as {
    statusCode?: unknown;
    code?: unknown;
  };
  return typeof statusCode === 'number' || code === 'ECONNREFUSED';
}
