import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../context/validate';
import { sayVerb } from '../ivr/nodes/speech';
import type { CallState, JambonzVerb, QueueCaller } from '../ivr/types';
import type { CallService } from './call-service';
import type { CallStates } from './call-state';
import { apology, type CallLog } from './call-steps';
import type { FlowSource } from './flow-lookup';
import { callSidPattern } from './payloads';
import type { QueueRouting } from './queue-routing';

/**
 * The webhooks of calls routed through the ACD, in the signed /jambonz
 * scope: the enqueue verb's waitHook, the call hook a waiting call is
 * moved to with the REST API, and the confirmHook of an agent's dial.
 * Each answers an unknown or finished call with an apology and a hangup.
 */

export interface QueueWebhookOptions {
  calls: CallService;
  routing: QueueRouting;
  callStates: CallStates;
  flows: FlowSource;
}

const callSid = z
  .string()
  .regex(callSidPattern, 'a jambonz call sid: letters, digits, - and _');
const hookBody = z.looseObject({ call_sid: callSid });

/** Seconds of quiet between announcements while the caller waits. */
export const holdSeconds = 20;

export function queueWebhooks(
  app: FastifyInstance,
  options: QueueWebhookOptions,
): void {
  app.post('/queue-wait', async (request) => {
    const body = parseInput(hookBody, request.body);
    const log = request.log.child({ callSid: body.call_sid });
    return waitVerbs(options, body.call_sid, log);
  });

  app.post('/queue-connect', async (request) => {
    const body = parseInput(hookBody, request.body);
    const log = request.log.child({ callSid: body.call_sid });
    return connectVerbs(options, body.call_sid, log);
  });

  // The agent's leg posts this; the caller's call sid is in the path.
  app.post<{ Params: { callSid: string } }>(
    '/queue-answered/:callSid',
    async (request) => {
      const sid = parseInput(z.object({ callSid }), request.params).callSid;
      const log = request.log.child({ callSid: sid });
      try {
        // An empty application bridges the legs (jambonz docs, "dial").
        return (await options.routing.dials.answered(sid, log))
          ? []
          : apology();
      } catch (err) {
        log.error({ err }, 'queued call answer not recorded; hanging up');
        return apology();
      }
    },
  );
}

/**
 * The call hook of a waiting call the REST API moved to an agent: the
 * queue node it waits at resumes with where routing puts it now.
 */
async function connectVerbs(
  { calls, routing }: QueueWebhookOptions,
  sid: string,
  log: CallLog,
): Promise<JambonzVerb[]> {
  try {
    return await calls.resumeWith(sid, log, async (flow, state) => {
      const node = state.awaiting;
      if (node === undefined || flow.nodes[node]?.type !== 'queue') {
        return undefined;
      }
      const done = await routing.connect(queueCallerOf(state));
      const payload = {
        call_sid: sid,
        effect: done.outcome,
        ...('placement' in done ? { placement: done.placement } : {}),
      };
      return { kind: 'action', node, payload };
    });
  } catch (err) {
    log.error({ err }, 'queued call could not go on; apologising');
    return apology();
  }
}

/** Who the call is, as routing needs it. */
function queueCallerOf(state: CallState): QueueCaller {
  const { callSid, flowId, path } = state;
  const { customerId, conversationId, callerPhone, queuedSince } = state;
  return {
    callSid,
    flowId,
    path,
    ...(customerId === undefined ? {} : { customerId }),
    ...(conversationId === undefined ? {} : { conversationId }),
    ...(callerPhone === undefined ? {} : { phone: callerPhone }),
    ...(queuedSince === undefined ? {} : { queuedSince }),
  };
}

/**
 * What a waiting caller hears on each waitHook: where they stand, then a
 * pause; jambonz asks again when the verbs run out (jambonz docs,
 * "enqueue": waitHook allows say, play, pause and leave only).
 */
async function waitVerbs(
  { routing, callStates, flows }: QueueWebhookOptions,
  sid: string,
  log: CallLog,
): Promise<JambonzVerb[]> {
  try {
    const state = await callStates.load(sid);
    if (!state || state.ended) {
      log.info('wait hook for a call that is not waiting');
      return apology();
    }
    const call = await routing.dials.record(sid);
    if (call?.phase === 'leaving') {
      // jambonz docs, "leave": the enqueue's actionHook runs next.
      return [{ verb: 'leave' }];
    }
    const [place, flow] = await Promise.all([
      routing.dials.place(sid),
      flows.getPublished(state.flowId, state.flowVersion),
    ]);
    const pause = { verb: 'pause', length: holdSeconds };
    if (!place) {
      // Offered to an agent already: the move comes in a moment.
      return [{ verb: 'pause', length: 2 }];
    }
    const text = placeWords(place.position, place.estimatedWaitSeconds);
    return [sayVerb(text, { language: flow?.language ?? 'en-US' }), pause];
  } catch (err) {
    log.error({ err }, 'wait hook failed; apologising');
    return apology();
  }
}

/** "You are number 2 in line; the wait is about 3 minutes." */
export function placeWords(position: number, waitSeconds: number): string {
  const minutes = Math.round(waitSeconds / 60);
  const wait =
    waitSeconds < 60
      ? 'less than a minute'
      : minutes <= 1
        ? 'about a minute'
        : `about ${minutes} minutes`;
  return `You are number ${position} in line; the wait is ${wait}.`;
}
