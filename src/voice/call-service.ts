import type { CallerCard } from '../context/card';
import type { EventInput } from '../context/events';
import type { ContextStore, PreparedConversation } from '../context/store';
import { newCallState } from '../ivr/engine';
import type { Flow } from '../ivr/flow';
import type { CallState, JambonzVerb, StepInput } from '../ivr/types';
import {
  continuedConversation,
  conversationHeader,
  identifyCaller,
  sipHeader,
} from './caller';
import type { CallStates } from './call-state';
import {
  apology,
  CallSteps,
  type CallLog,
  type CallStepsOptions,
} from './call-steps';
import {
  finalStatuses,
  type ActionBody,
  type CallPayload,
  type StatusPayload,
} from './payloads';
import { untitled } from '../context/conversations';

export interface CallServiceOptions extends CallStepsOptions {
  store: ContextStore;
  callStates: CallStates;
  /** Calls bridgeline placed itself: callbacks. */
  placedCalls?: PlacedCalls;
}

/** A call bridgeline placed, answered: the flow it runs, and for whom. */
export interface PlacedCall {
  flowId: string;
  customerId: string;
  conversationId: string;
  /** Flow variables the call starts with. */
  vars: Record<string, string>;
  /** When the customer first asked (ms): their place in a queue. */
  queuedSince?: number;
}

/**
 * Calls bridgeline placed through the jambonz REST API (callbacks). The
 * call hook asks whether a call is one of them; only signed webhooks are
 * asked, since the answer rests on the tag in the body. Every final status
 * is passed on after the call's own bookkeeping.
 */
export interface PlacedCalls {
  answered(payload: CallPayload, log: CallLog): Promise<PlacedCall | undefined>;
  ended(payload: StatusPayload, log: CallLog): Promise<void>;
}

type Outcome = 'completed' | 'abandoned' | 'no-answer' | 'busy' | 'failed';

/**
 * What bridgeline does with a call, webhook by webhook: who is calling,
 * which conversation it belongs to, which flow answers, what the engine
 * says next, and what goes on the caller's timeline. The webhooks stay
 * thin: they validate, call one method and return what it returns.
 *
 * Whatever fails here ends in an apology and a hangup: a webhook that
 * answers jambonz with an error leaves the caller in silence.
 */
export class CallService {
  private readonly steps: CallSteps;

  constructor(private readonly options: CallServiceOptions) {
    this.steps = new CallSteps(options);
  }

  /** POST /jambonz/call: a new call. */
  async startCall(
    payload: CallPayload,
    trustSipHeaders: boolean,
    log: CallLog,
  ): Promise<JambonzVerb[]> {
    try {
      return await this.start(payload, trustSipHeaders, log);
    } catch (err) {
      log.error({ err }, 'call could not start; apologising');
      return apology();
    }
  }

  /** POST /jambonz/action/:node: jambonz reports what a verb gathered. */
  async continueCall(
    node: string,
    payload: ActionBody,
    log: CallLog,
  ): Promise<JambonzVerb[]> {
    try {
      if (await this.options.queueRouting?.dials.movedOn(payload)) {
        // Nothing to say: the call runs the verbs it was moved to.
        return [];
      }
      return await this.resumeWith(
        payload.call_sid,
        log,
        (flow) => this.steps.actionInput(flow, node, payload, log),
        node,
      );
    } catch (err) {
      log.error({ err, node }, 'call could not go on; apologising');
      return apology();
    }
  }

  /**
   * POST /jambonz/status. A final status closes the call: its state goes,
   * and a known caller's timeline gets call.ended. Any other status, and
   * any status for a call bridgeline does not know, writes nothing.
   */
  async callStatus(payload: StatusPayload, log: CallLog): Promise<void> {
    const status = payload.call_status;
    if (!finalStatuses.has(status)) {
      return;
    }
    await this.options.placedCalls
      ?.ended(payload, log)
      .catch((err: unknown) => {
        log.error({ err }, 'placed call outcome not recorded');
      });
    await this.options.queueRouting?.dials
      .callEnded(payload.call_sid, log)
      .catch((err: unknown) => {
        log.error({ err }, 'queued call outcome not recorded');
      });
    const state = await this.options.callStates.finish(payload.call_sid);
    if (!state) {
      log.debug({ status }, 'final status for a call with no state');
      return;
    }
    const { customerId } = state;
    if (customerId !== undefined) {
      const events = await this.steps.voicemailAtHangup(state, log);
      const seconds = payload.duration;
      events.push({
        type: 'call.ended',
        callSid: state.callSid,
        ...conversationOf(state),
        ...(typeof seconds === 'number'
          ? { durationSeconds: Math.round(seconds) }
          : {}),
        outcome: outcomeOf(status, state),
      });
      await this.append(customerId, events, log);
    }
    log.info({ status, customerId }, 'call ended');
  }

  private async start(
    payload: CallPayload,
    trustSipHeaders: boolean,
    log: CallLog,
  ): Promise<JambonzVerb[]> {
    const { store, callStates, flows } = this.options;
    const callSid = payload.call_sid;
    const placed = trustSipHeaders
      ? await this.options.placedCalls?.answered(payload, log)
      : undefined;
    // Independent lookups, sent together: one round trip.
    const [card, live] = placed
      ? await Promise.all([
          store.callerCardById(placed.customerId),
          flows.liveFlow(placed.flowId),
        ])
      : await Promise.all([
          identifyCaller(store, payload, trustSipHeaders, log),
          flows.liveForNumber(payload.to),
        ]);
    const customerId = card?.customer.id;
    const conversation:
      { id: string; opening?: PreparedConversation } | undefined =
      placed && card
        ? { id: placed.conversationId }
        : card
          ? this.conversationFor(
              card,
              trustSipHeaders
                ? sipHeader(payload, conversationHeader)
                : undefined,
            )
          : undefined;
    const caller: Pick<CallState, 'customerId' | 'conversationId'> =
      card && conversation
        ? { customerId: card.customer.id, conversationId: conversation.id }
        : {};
    const started: EventInput = {
      type: 'call.started',
      direction: payload.direction,
      callSid,
      ...conversationOf(caller),
    };

    if (!live) {
      log.error({ customerId }, 'no flow answers the dialled number');
      // Kept as ended, so the final status still closes the call's timeline.
      const state = { ...newCallState(callSid, '', 0, caller), ended: true };
      await Promise.all([
        callStates.create(state),
        customerId === undefined
          ? undefined
          : this.append(customerId, [started], log, conversation?.opening),
      ]);
      return apology();
    }

    // A callback's customer is the called party.
    const callerPhone = this.callerPhone(placed ? payload.to : payload.from);
    const state = {
      ...newCallState(callSid, live.flow.id, live.version, caller),
      ...(callerPhone === undefined ? {} : { callerPhone }),
      ...(placed ? { vars: placed.vars } : {}),
      ...(placed?.queuedSince === undefined
        ? {}
        : { queuedSince: placed.queuedSince }),
    };
    // The call's first events open its conversation; they go with the
    // first write, before an effect or at the end of the step.
    let opening = conversation?.opening;
    let first: EventInput[] = [started];
    const flush = async (events: EventInput[], current: CallState) => {
      const batch = [...first, ...events];
      const prepared = opening;
      first = [];
      opening = undefined;
      if (current.customerId !== undefined) {
        await this.append(current.customerId, batch, log, prepared);
      }
    };
    const result = await this.steps.run(
      live.flow,
      state,
      { kind: 'start' },
      card,
      log,
      flush,
    );
    await Promise.all([
      callStates.create(result.state),
      flush(result.events, result.state),
    ]);
    log.info(
      { customerId, flowId: live.flow.id, version: live.version },
      'call started',
    );
    return result.verbs;
  }

  /**
   * Runs the engine on a call under way with the input `inputOf` makes
   * from its flow and state; no input is a hook the call cannot take.
   */
  async resumeWith(
    callSid: string,
    log: CallLog,
    inputOf: (flow: Flow, state: CallState) => Promise<StepInput | undefined>,
    node?: string,
  ): Promise<JambonzVerb[]> {
    const { store, callStates, flows } = this.options;
    const state = await callStates.load(callSid);
    if (!state || (state.ended && state.awaiting === undefined)) {
      log.info({ node, known: state !== undefined }, 'action hook refused');
      return apology();
    }
    const flow = await flows.getPublished(state.flowId, state.flowVersion);
    if (!flow) {
      log.error(
        { flowId: state.flowId, version: state.flowVersion },
        'the flow version of a call in progress is gone',
      );
      return apology();
    }
    const { customerId } = state;
    const [card, input] = await Promise.all([
      customerId === undefined ? undefined : store.callerCardById(customerId),
      inputOf(flow, state),
    ]);
    if (!input) {
      log.info({ awaiting: state.awaiting }, 'call hook refused');
      return apology();
    }
    const flush = async (events: EventInput[], current: CallState) => {
      if (current.customerId !== undefined) {
        await this.append(current.customerId, events, log);
      }
    };
    const result = await this.steps.run(flow, state, input, card, log, flush);
    const [saved] = await Promise.all([
      callStates.update(result.state),
      flush(result.events, result.state),
    ]);
    if (!saved) {
      log.info({ node }, 'the call ended while its action hook ran');
    }
    return result.verbs;
  }

  /** The calling number in E.164, for a link or a callback later. */
  private callerPhone(from: string): string | undefined {
    try {
      return this.options.store.normalizeIdentity('phone', from).value;
    } catch {
      return undefined;
    }
  }

  /**
   * The conversation the call continues, or a new one it opens: opened
   * with the call's first events, in one write and one card rebuild.
   */
  private conversationFor(
    card: CallerCard,
    named: string | undefined,
  ): { id: string; opening?: PreparedConversation } {
    const continued = continuedConversation(card, named, this.steps.now());
    if (continued) {
      return { id: continued.id };
    }
    const opening = this.options.store.prepareConversation({
      subject: untitled.call,
      channel: 'voice',
    });
    return { id: opening.id, opening };
  }

  /**
   * Appends a step's events as one batch: one script, one card rebuild. A
   * timeline that cannot take them (the customer was erased during the
   * call) costs those events, never the call.
   */
  private async append(
    customerId: string,
    events: EventInput[],
    log: CallLog,
    opening?: PreparedConversation,
  ): Promise<void> {
    if (events.length === 0) {
      return;
    }
    try {
      await this.options.store.appendEvents(
        customerId,
        events,
        opening === undefined ? {} : { opening },
      );
    } catch (err) {
      log.warn(
        { customerId, events: events.length, err },
        'timeline events not recorded',
      );
    }
  }
}

function conversationOf(state: Pick<CallState, 'conversationId'>): {
  conversationId?: string;
} {
  return state.conversationId === undefined
    ? {}
    : { conversationId: state.conversationId };
}

/** call.ended's outcome: a caller who left mid-flow abandoned the call. */
function outcomeOf(
  status: StatusPayload['call_status'],
  state: CallState,
): Outcome {
  switch (status) {
    case 'busy':
    case 'failed':
    case 'no-answer':
      return status;
    default:
      return state.ended ? 'completed' : 'abandoned';
  }
}
