import { bridgelineOnOwnRedis } from '../support/app';
import { aCallBody } from '../support/jambonz';
import {
  dialOf,
  queueLines,
  queueSipDomain,
  sipUriOf,
} from '../support/queue-lines';

/**
 * A bridgeline without the jambonz REST API configured still puts a
 * waiting caller through to the agent who frees up: the next waitHook
 * takes the call out of jambonz's queue, and the enqueue's action hook
 * dials the agent.
 */

const secret = 'queue-calls-local-secret';
const running = bridgelineOnOwnRedis({
  JAMBONZ_WEBHOOK_SECRET: secret,
  SIP_DOMAIN: queueSipDomain,
});
const { aQueueLine, anAgentIn, verbsOf } = queueLines(running, secret);

describe('calls routed to agents without the jambonz REST API', () => {
  describe('when an agent frees up while the caller waits', () => {
    it('it leaves the queue on the next waitHook and dials the agent', async () => {
      const { queue, number } = await aQueueLine();
      const agent = await anAgentIn(queue, false);
      const body = aCallBody({ to: number });
      const waiting = await verbsOf('/jambonz/call', body);
      expect(waiting.at(-1)?.verb).toBe('enqueue');

      await running.app.agents.acd.setState(agent.id, 'available');
      const wait = await verbsOf('/jambonz/queue-wait', {
        call_sid: body.call_sid,
      });
      expect(wait).toEqual([{ verb: 'leave' }]);

      const verbs = await verbsOf('/jambonz/action/agents', {
        call_sid: body.call_sid,
        queue_result: 'leave',
      });
      expect(sipUriOf(dialOf(verbs))).toBe(agent.sipUri);
    });
  });
});
