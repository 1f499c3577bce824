import type { BaseLogger } from 'pino';
import jambonz from '@jambonz/node-client';
import type { CallerCard } from '../context/card';
import type { EventInput } from '../context/events';
import { APOLOGY, joinSteps } from '../ivr/engine';
import type { Flow } from '../ivr/flow';
import type {
  ActionPayload,
  CallState,
  CapabilityServices,
  Effect,
  EffectCaller,
  EffectResult,
  JambonzVerb,
  QueueResult,
  Step,
  StepContext,
  StepInput,
  StepResult,
} from '../ivr/types';
import { flowsForStep, type FlowSource } from './flow-lookup';
import type { QueueRouting } from './queue-routing';
import type { Recordings } from './recordings';

/** A logger bound to one call: the webhooks pass a child with its sid. */
export type CallLog = Pick<BaseLogger, 'debug' | 'info' | 'warn' | 'error'>;

export interface CallStepsOptions {
  flows: FlowSource;
  /** The IVR engine, `step` from src/ivr/engine.ts. */
  step: Step;
  recordings: Recordings;
  transferAllowlist: readonly string[];
  capabilities?: CapabilityServices;
  /** Calls routed to agents: the queue node's dials report to it. */
  queueRouting?: QueueRouting;
  /** How long an action hook waits for a voicemail still being saved. */
  recordingWaitMs?: number;
  now?: () => Date;
}

/** Effects one webhook may have done before it answers jambonz. */
const maxEffectsPerStep = 3;

/** Said, then hung up: the caller hears why the line goes quiet. */
export function apology(): JambonzVerb[] {
  return new jambonz.WebhookResponse().say({ text: APOLOGY }).hangup().toJSON();
}

/**
 * Runs the engine for one call: gathers what a step needs (every flow it
 * may enter, the voicemail a hook reports on) and logs why a flow could not
 * go on.
 */
export class CallSteps {
  readonly now: () => Date;

  constructor(private readonly options: CallStepsOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * One webhook's step. When the engine stops for an effect (a link to
   * send, a callback to book), `flush` first stores the events so far (the
   * conversation the effect writes to must exist), the effect is done, and
   * the node resumes with its outcome; the verbs of both go back together.
   */
  async run(
    flow: Flow,
    state: CallState,
    input: StepInput,
    card: CallerCard | undefined,
    log: CallLog,
    flush: (events: EventInput[], state: CallState) => Promise<void> = () =>
      Promise.resolve(),
  ): Promise<StepResult> {
    const { recordings } = this.options;
    const current = { flow, version: state.flowVersion };
    const context: StepContext = {
      flows: await flowsForStep(this.options.flows, current, state.stack),
      card,
      now: this.now(),
      transferAllowlist: this.options.transferAllowlist,
      voicemailUrl: (callSid) => recordings.streamUrl(callSid),
      capabilities: this.options.capabilities ?? {},
    };
    let result = this.options.step(flow, state, input, context);
    for (let i = 0; result.effect && i < maxEffectsPerStep; i += 1) {
      const { effect } = result;
      await flush(result.events, result.state);
      const resumed = await this.afterEffect(effect, result, context, log);
      if (!resumed) {
        break;
      }
      result = joinSteps({ ...result, events: [] }, resumed);
    }
    if (result.fault !== undefined) {
      log.error(
        { fault: result.fault, flowId: state.flowId },
        'the flow could not go on',
      );
    }
    return result;
  }

  /** Has the effect done, then resumes its node with the outcome. */
  private async afterEffect(
    effect: Effect,
    before: StepResult,
    context: StepContext,
    log: CallLog,
  ): Promise<StepResult | undefined> {
    const state = before.state;
    const done = await this.perform(effect, state, log);
    if ('customerId' in done) {
      state.customerId = done.customerId;
      state.conversationId = done.conversationId;
    }
    return this.resumeWith(state, effect.node, done, context);
  }

  /** Resumes the node that waits for an effect with what it did. */
  async resumeWith(
    state: CallState,
    node: string,
    done: EffectResult | QueueResult,
    context: StepContext,
  ): Promise<StepResult | undefined> {
    const current = await this.flowOf(state);
    if (!current) {
      return undefined;
    }
    const payload: ActionPayload = {
      call_sid: state.callSid,
      effect: done.outcome,
      ...('placement' in done ? { placement: done.placement } : {}),
    };
    return this.options.step(
      current,
      state,
      { kind: 'action', node, payload },
      context,
    );
  }

  /** An effect that fails is an unavailable service: the flow goes on. */
  private async perform(
    effect: Effect,
    state: CallState,
    log: CallLog,
  ): Promise<EffectResult | QueueResult> {
    const services = this.options.capabilities ?? {};
    const caller: EffectCaller & { queuedSince?: number } = {
      callSid: state.callSid,
      flowId: state.flowId,
      path: state.path,
      ...(state.callerPhone === undefined ? {} : { phone: state.callerPhone }),
      ...(state.customerId === undefined
        ? {}
        : { customerId: state.customerId }),
      ...(state.conversationId === undefined
        ? {}
        : { conversationId: state.conversationId }),
      ...(state.queuedSince === undefined
        ? {}
        : { queuedSince: state.queuedSince }),
    };
    try {
      const result =
        effect.kind === 'handoff'
          ? await services.handoff?.perform(caller, effect.channel)
          : effect.kind === 'queue'
            ? await services.queue?.perform(caller, effect)
            : await services.callback?.perform(caller);
      log.info(
        { effect: effect.kind, outcome: result?.outcome ?? 'unavailable' },
        'effect done',
      );
      return result ?? { outcome: 'unavailable' };
    } catch (err) {
      log.error({ err, effect: effect.kind }, 'effect failed');
      return { outcome: 'unavailable' };
    }
  }

  private async flowOf(state: CallState): Promise<Flow | undefined> {
    return this.options.flows.getPublished(state.flowId, state.flowVersion);
  }

  /**
   * The engine's input for an action hook. A voicemail's hook gets the
   * recording's URL and length, which only bridgeline knows: jambonz
   * streamed the audio to us and keeps none of it.
   */
  async actionInput(
    flow: Flow,
    node: string,
    body: ActionPayload,
    log: CallLog,
  ): Promise<StepInput> {
    const payload: ActionPayload = { ...body };
    // Only bridgeline says what an effect did (see run); a body from the
    // wire never does.
    delete payload.effect;
    delete payload.placement;
    const type = flow.nodes[node]?.type;
    const dialStatus = body.dial_call_status;
    const routing = this.options.queueRouting;
    if (type === 'queue' && routing && typeof dialStatus === 'string') {
      // The ACD hears how the agent's dial went before the node goes on.
      await routing.dials.dialEnded(body.call_sid, dialStatus, log);
    }
    if (type === 'queue' && routing && body.queue_result !== undefined) {
      // The contact is in the ACD already, with its customer.
      const caller = { callSid: body.call_sid, flowId: flow.id, path: [] };
      const placed = await routing.leftQueue(caller);
      if (placed) {
        payload.effect = placed.outcome;
        if ('placement' in placed) {
          payload.placement = placed.placement;
        }
      }
    }
    if (type === 'voicemail') {
      const { recordings, recordingWaitMs = 3000 } = this.options;
      const callSid = body.call_sid;
      const recording = await recordings.settled(callSid, recordingWaitMs);
      if (recording) {
        payload.recording_url = recordings.recordingUrl(callSid);
        payload.duration = Math.round(recording.durationSeconds);
      }
    }
    return { kind: 'action', node, payload };
  }

  /**
   * A caller who hangs up after leaving a message never lets jambonz post
   * the listen verb's action hook; the voicemail is recorded all the same.
   */
  async voicemailAtHangup(
    state: CallState,
    log: CallLog,
  ): Promise<EventInput[]> {
    const node = state.awaiting;
    if (node === undefined || state.ended) {
      return [];
    }
    const flow = await this.options.flows.getPublished(
      state.flowId,
      state.flowVersion,
    );
    if (flow?.nodes[node]?.type !== 'voicemail') {
      return [];
    }
    const input = await this.actionInput(
      flow,
      node,
      { call_sid: state.callSid, reason: 'hangup' },
      log,
    );
    // Nobody hears what the flow would do next: only the voicemail is kept.
    const result = await this.run(flow, state, input, undefined, log);
    return result.events.filter((event) => event.type === 'voicemail');
  }
}
