import type { Acd } from '../agents/acd';
import type { CallLog } from './call-steps';
import type { QueueCall, QueueCalls, QueuePhase } from './queue-calls';

/**
 * What happens to a queued call once an agent's phone rings, and how it
 * ends, told to the ACD: the dial's confirmHook accepts the offer (the
 * desktop's accept frame may have done it first), a dial that was not
 * answered declines it, and the call's end finishes the contact, with
 * wrap-up, or counts it abandoned when the caller left before an agent
 * took it.
 */

export interface QueueDialsOptions {
  acd: Pick<Acd, 'accept' | 'decline' | 'finish' | 'abandon' | 'position'>;
  calls: QueueCalls;
  /** Seconds an agent has after a call before the next contact. */
  wrapUpSeconds?: number;
}

const movedPhases: readonly QueuePhase[] = ['connecting', 'dialing', 'bridged'];
const dialPhases: readonly QueuePhase[] = ['dialing', 'bridged'];

export class QueueDials {
  constructor(private readonly options: QueueDialsOptions) {}

  /** The dial's confirmHook: the agent answered, and has the contact. */
  async answered(callSid: string, log: CallLog): Promise<boolean> {
    const { calls, acd } = this.options;
    const call = await calls.load(callSid);
    if (call?.phase === 'bridged') {
      return true; // jambonz retried the hook
    }
    if (!call?.offer || call.phase !== 'dialing') {
      return false;
    }
    const { agentId, offerId } = call.offer;
    // Refused when the desktop accepted first: the agent has it all the same.
    await acd.accept(agentId, offerId).catch((err: unknown) => {
      log.info({ err, offerId }, 'offer accepted before the dial answered');
    });
    await calls.setPhase(callSid, 'bridged');
    log.info({ agentId, offerId }, 'agent answered a queued call');
    return true;
  }

  /**
   * The dial's action hook, before the node resumes: a completed dial
   * finishes the contact, any other outcome declines the offer so that the
   * node's next routing finds another agent.
   */
  async dialEnded(callSid: string, status: string, log: CallLog) {
    const { calls, acd } = this.options;
    const call = await calls.load(callSid);
    if (!call?.offer || !dialPhases.includes(call.phase)) {
      // The dialled offer went while it rang; routing runs again anyway.
      return;
    }
    const { agentId, offerId } = call.offer;
    if (status === 'completed') {
      if (call.phase !== 'bridged') {
        await acd.accept(agentId, offerId).catch(() => undefined);
      }
      await this.finish(agentId, call.contactId, log);
      await calls.setPhase(callSid, 'done');
      return;
    }
    // The node routes again in this webhook: an offer the decline makes
    // is noted for it, not moved through the REST API.
    await calls.setPhase(callSid, 'routing');
    await acd.decline(agentId, offerId).catch((err: unknown) => {
      // An offer that expired while ringing has moved on already.
      log.info({ err, offerId }, 'offer gone before its dial ended');
    });
    await calls.forgetOffer(callSid, offerId);
    log.info({ agentId, status }, 'agent did not take a queued call');
  }

  /** The final status: a caller still in line or ringing abandoned. */
  async callEnded(callSid: string, log: CallLog): Promise<void> {
    const call = await this.options.calls.finish(callSid);
    if (!call || call.phase === 'done') {
      return;
    }
    if (call.phase === 'bridged' && call.offer) {
      await this.finish(call.offer.agentId, call.contactId, log);
      return;
    }
    const abandoned = await this.options.acd.abandon(call.contactId);
    log.info({ abandoned, queue: call.queue }, 'caller left the queue');
  }

  /**
   * Whether an enqueue verb's action hook comes from a call the REST API
   * has moved to an agent since: jambonz may still post it, and the dial
   * the call runs now must not be undone.
   */
  async movedOn(payload: {
    call_sid: string;
    [field: string]: unknown;
  }): Promise<boolean> {
    const left = payload.queue_result ?? payload.queueResult;
    if (left === undefined) {
      return false;
    }
    const call = await this.options.calls.load(payload.call_sid);
    return call !== undefined && movedPhases.includes(call.phase);
  }

  /** The call's routing record, if a queue node routed it. */
  record(callSid: string): Promise<QueueCall | undefined> {
    return this.options.calls.load(callSid);
  }

  /** Where a waiting call stands; undefined once it is not in line. */
  async place(
    callSid: string,
  ): Promise<{ position: number; estimatedWaitSeconds: number } | undefined> {
    const call = await this.options.calls.load(callSid);
    return call && this.options.acd.position(call.contactId);
  }

  private async finish(agentId: string, contactId: string, log: CallLog) {
    const wrapUp = this.options.wrapUpSeconds ?? 30;
    await this.options.acd
      .finish(agentId, contactId, wrapUp)
      .catch((err: unknown) => {
        log.warn({ err, agentId }, 'queued call not finished in the ACD');
      });
  }
}
