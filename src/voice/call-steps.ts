import type { BaseLogger } from 'pino';
import jambonz from '@jambonz/node-client';
import type { ContextCard } from '../context/card';
import type { EventInput } from '../context/events';
import { APOLOGY } from '../ivr/engine';
import type { Flow } from '../ivr/flow';
import type {
  ActionPayload,
  CallState,
  Capabilities,
  JambonzVerb,
  Step,
  StepContext,
  StepInput,
  StepResult,
} from '../ivr/types';
import { flowsForStep, type FlowSource } from './flow-lookup';
import type { Recordings } from './recordings';

/** A logger bound to one call: the webhooks pass a child with its sid. */
export type CallLog = Pick<BaseLogger, 'debug' | 'info' | 'warn' | 'error'>;

export interface CallStepsOptions {
  flows: FlowSource;
  /** The IVR engine, `step` from src/ivr/engine.ts. */
  step: Step;
  recordings: Recordings;
  transferAllowlist: readonly string[];
  capabilities?: Capabilities;
  /** How long an action hook waits for a voicemail still being saved. */
  recordingWaitMs?: number;
  now?: () => Date;
}

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

  async run(
    flow: Flow,
    state: CallState,
    input: StepInput,
    card: ContextCard | undefined,
    log: CallLog,
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
    const result = this.options.step(flow, state, input, context);
    if (result.fault !== undefined) {
      log.error(
        { fault: result.fault, flowId: state.flowId },
        'the flow could not go on',
      );
    }
    return result;
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
  ): Promise<StepInput> {
    const payload: ActionPayload = { ...body };
    if (flow.nodes[node]?.type === 'voicemail') {
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
    const input = await this.actionInput(flow, node, {
      call_sid: state.callSid,
      reason: 'hangup',
    });
    // Nobody hears what the flow would do next: only the voicemail is kept.
    const result = await this.run(flow, state, input, undefined, log);
    return result.events.filter((event) => event.type === 'voicemail');
  }
}
