import type { CallerCard } from '../context/card';
import type { EventInput } from '../context/events';
import type { Flow } from './flow';

/**
 * The contract between the IVR engine (a pure function) and the webhooks
 * that feed it. The webhooks load state and context, call `step`, return its
 * verbs to jambonz, save its state and append its events.
 */

/** A jambonz verb as returned to jambonz: `{ verb: 'say', text: ... }`. */
export interface JambonzVerb {
  verb: string;
  [property: string]: unknown;
}

/** A call's place in its flow, kept in Redis per call_sid with a TTL. */
export interface CallState {
  callSid: string;
  flowId: string;
  flowVersion: number;
  /** The node whose verbs are running and whose action hook is due. */
  awaiting?: string;
  /** How many times the awaited node has asked already. */
  attempts: number;
  vars: Record<string, string>;
  /** Every node the call has passed through, in order: the IVR path. */
  path: string[];
  /** Flows that called a subflow, innermost last, with where to return. */
  stack: { flowId: string; flowVersion: number; next: string }[];
  customerId?: string;
  conversationId?: string;
  /** Set once the flow reached a node that ends its part of the call. */
  ended: boolean;
  /** The calling number, E.164, for nodes that reach the caller later. */
  callerPhone?: string;
  /**
   * When the customer first joined a queue (ms), for a call that keeps an
   * earlier place: a callback, whose customer asked for it long before.
   */
  queuedSince?: number;
}

/**
 * What jambonz posts to an action hook; which fields are present depends on
 * the verb (gather: digits, speech, reason; dial: dial_call_status; listen:
 * the recording fields bridgeline adds). Unknown fields are kept.
 */
export interface ActionPayload {
  call_sid: string;
  reason?: string;
  digits?: string;
  speech?: {
    is_final?: boolean;
    alternatives?: { transcript?: string; confidence?: number }[];
  };
  dial_call_status?: string;
  dial_sip_status?: number;
  /** Set by bridgeline itself when it resumes a node after an effect. */
  effect?: EffectOutcome;
  /** Set by bridgeline with a queue effect's outcome: where the call went. */
  placement?: QueuePlacement;
  [field: string]: unknown;
}

export type HandoffChannel = 'sms' | 'chat' | 'email';

/**
 * Something a node needs done outside the engine before the flow can say
 * what happened: a link sent, a callback booked. The engine stops at the
 * node and returns the effect; the webhook has it done and resumes the node
 * with `effect: 'done' | 'unavailable'` in the same request, so a prompt
 * such as "we've sent you a link" is spoken only after the link went.
 */
export type EffectRequest =
  | { kind: 'handoff'; channel: HandoffChannel }
  | { kind: 'callback' }
  | { kind: 'queue'; queue: string; skills: string[]; priority: number };

/**
 * Where the ACD put a call a queue node asked it to route: to an agent, who
 * is dialled at once, or in line, with where it stands.
 */
export type QueuePlacement =
  | { placed: 'agent'; sipUri: string; ringSeconds: number }
  | { placed: 'waiting'; position: number; estimatedWaitSeconds: number };

/** A queue effect's outcome: routed somewhere, or no queue took it. */
export type QueueResult =
  { outcome: 'done'; placement: QueuePlacement } | { outcome: 'unavailable' };

/** An effect and the node that waits for its outcome. */
export type Effect = EffectRequest & { node: string };

export type EffectOutcome = 'done' | 'unavailable';

/** Who an effect is for: the call's caller, as far as the call knows. */
export interface EffectCaller {
  callSid: string;
  /** The calling number, E.164, when the call came with a usable one. */
  phone?: string;
  customerId?: string;
  conversationId?: string;
  /** The flow and the nodes passed so far: for a caller not known before. */
  flowId: string;
  path: readonly string[];
}

/** The customer and conversation an effect found or opened. */
export type EffectResult =
  | { outcome: 'done'; customerId: string; conversationId: string }
  | { outcome: 'unavailable' };

/**
 * Services a node may need that another part of bridgeline provides, as
 * the engine sees them: it does no I/O, so it only asks whether a service
 * is there at all.
 */
export interface Capabilities {
  /** Queue routing to agents; absent until agents exist. */
  queue?: { available(queue: string, skills: string[]): boolean };
  handoff?: { available(channel: HandoffChannel): boolean };
  callback?: { available(): boolean };
}

/** The same services as the webhook sees them: it has effects done. */
export interface CapabilityServices extends Capabilities {
  handoff?: {
    available(channel: HandoffChannel): boolean;
    perform(
      caller: EffectCaller,
      channel: HandoffChannel,
    ): Promise<EffectResult>;
  };
  callback?: {
    available(): boolean;
    perform(caller: EffectCaller): Promise<EffectResult>;
  };
  queue?: {
    available(queue: string, skills: string[]): boolean;
    perform(
      caller: QueueCaller,
      request: Extract<EffectRequest, { kind: 'queue' }>,
    ): Promise<QueueResult>;
  };
}

/** Who a queue effect routes: the caller, and their place kept from before. */
export interface QueueCaller extends EffectCaller {
  queuedSince?: number;
}

/** A published flow and the version number it was published as. */
export interface PublishedFlow {
  flow: Flow;
  version: number;
}

export interface StepContext {
  /**
   * Published flows, for subflows: the live version when no version is
   * given, else exactly that one (a call returns to the version it left).
   * The engine never does I/O, so the caller has them at hand.
   */
  flows: (flowId: string, version?: number) => PublishedFlow | undefined;
  card: CallerCard | undefined;
  now: Date;
  /** Numbers and SIP URIs a transfer node may dial. */
  transferAllowlist: readonly string[];
  /** Where jambonz streams a voicemail: a ws(s):// URL for the call. */
  voicemailUrl: (callSid: string) => string;
  capabilities: Capabilities;
}

export type StepInput =
  { kind: 'start' } | { kind: 'action'; node: string; payload: ActionPayload };

export interface StepResult {
  verbs: JambonzVerb[];
  state: CallState;
  /** Timeline events for the customer: one ivr.step per node passed. */
  events: EventInput[];
  /**
   * Why the engine apologised and hung up instead of following the flow (a
   * missing node or subflow, a loop, a hook for a call that awaits nothing);
   * absent when the flow ran as written. The webhook logs it.
   */
  fault?: string;
  /** Set when the engine stopped at a node that needs an effect done. */
  effect?: Effect;
}

/** The engine: `step(flow, state, input, context)`; see engine.ts. */
export type Step = (
  flow: Flow,
  state: CallState,
  input: StepInput,
  context: StepContext,
) => StepResult;
