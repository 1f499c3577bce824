import { bridgelineOnOwnRedis } from '../support/app';
import { until } from '../support/callbacks';
import { isFrame } from '../support/desktop';
import { aCustomer } from '../support/factories';
import {
  aCallBody,
  aStatusBody,
  postWebhook,
  spoken,
} from '../support/jambonz';
import { JambonzApiStandIn } from '../support/jambonz-api';
import {
  dialOf,
  queueLines,
  queueSipDomain,
  sipUriOf,
} from '../support/queue-lines';

/**
 * Calls routed to agents through the ACD, end to end: signed jambonz
 * webhooks into the whole app on a real Redis, agents with real accounts
 * and desktop WebSockets, and the jambonz REST API played by its stand-in.
 */

const secret = 'queue-calls-webhook-secret';
const env: Record<string, string> = {
  JAMBONZ_WEBHOOK_SECRET: secret,
  SIP_DOMAIN: queueSipDomain,
};
let standIn: JambonzApiStandIn;
beforeAll(async () => {
  standIn = await JambonzApiStandIn.start();
  Object.assign(env, standIn.env);
});
afterAll(() => standIn.close());
const running = bridgelineOnOwnRedis(env);

const { aQueueLine, anAgentIn, post, verbsOf } = queueLines(running, secret);

async function queueStats(queue: string) {
  return running.app.agents.acd.stats(queue);
}

describe('calls routed to agents through the ACD', () => {
  describe('when a known caller continues a conversation their agent had', () => {
    it('it dials that agent after their desktop had the screen-pop', async () => {
      const { queue, number } = await aQueueLine();
      await anAgentIn(queue);
      const theirs = await anAgentIn(queue);
      const { customer, phone } = await aCustomer(running.app.store);
      await running.app.store.openConversation(customer.id, {
        subject: 'A billing question',
        channel: 'voice',
        agentId: theirs.id,
      });
      let poppedAt = 0;
      const pop = theirs.desktop.next(isFrame('screen-pop')).then((frame) => {
        poppedAt = Date.now();
        return frame;
      });

      const verbs = await verbsOf(
        '/jambonz/call',
        aCallBody({ to: number, from: phone }),
      );
      const answeredAt = Date.now();

      const dial = dialOf(verbs);
      expect(sipUriOf(dial)).toBe(theirs.sipUri);
      expect(dial?.actionHook).toBe('/jambonz/action/agents');
      expect(spoken(verbs)).toContain('Putting you through.');
      const frame = (await pop) as unknown as {
        ivrPath: { node: string }[];
        reason: string;
      };
      expect(poppedAt).toBeGreaterThan(0);
      expect(poppedAt).toBeLessThanOrEqual(answeredAt + 50);
      expect(frame.reason).toBe('preferred-agent');
      expect(frame.ivrPath.map((step) => step.node)).toEqual(
        expect.arrayContaining(['greet', 'agents']),
      );
    });
  });

  describe('when no agent is free', () => {
    it('it parks the caller with a waitHook that says where they stand', async () => {
      const { queue, number } = await aQueueLine();
      await anAgentIn(queue, false);
      const body = aCallBody({ to: number });

      const verbs = await verbsOf('/jambonz/call', body);

      expect(verbs.at(-1)).toMatchObject({
        verb: 'enqueue',
        name: queue,
        waitHook: '/jambonz/queue-wait',
        actionHook: '/jambonz/action/agents',
      });
      const wait = await verbsOf('/jambonz/queue-wait', {
        call_sid: body.call_sid,
        queue_position: 0,
      });
      expect(spoken(wait).join(' ')).toMatch(
        /You are number 1 in line; the wait is (about|less than)/,
      );
      expect(wait.at(-1)?.verb).toBe('pause');
    });

    it('it moves the waiting call once to the agent who frees up', async () => {
      const { queue, number } = await aQueueLine();
      const agent = await anAgentIn(queue, false);
      const body = aCallBody({ to: number });
      const callSid = String(body.call_sid);
      await verbsOf('/jambonz/call', body);

      await running.app.agents.acd.setState(agent.id, 'available');

      const moved = await standIn.next(
        (request) => request.resource === `Calls/${callSid}`,
      );
      expect(moved.method).toBe('PUT');
      const hook = moved.body.call_hook as { url: string };
      expect(hook.url).toMatch(/\/jambonz\/queue-connect$/);
      const verbs = await verbsOf('/jambonz/queue-connect', {
        ...body,
        call_status: 'in-progress',
      });
      expect(sipUriOf(dialOf(verbs))).toBe(agent.sipUri);
      const redirects = standIn.requests.filter(
        (request) => request.resource === `Calls/${callSid}`,
      );
      expect(redirects).toHaveLength(1);

      // The enqueue the redirect ended may still report; the dial stays.
      const late = await verbsOf('/jambonz/action/agents', {
        call_sid: callSid,
        queue_result: 'leave',
      });
      expect(late).toEqual([]);
    });
  });

  describe('when the agent dialled does not answer', () => {
    it('it declines for them and dials the next agent', async () => {
      const { queue, number } = await aQueueLine();
      const first = await anAgentIn(queue);
      const second = await anAgentIn(queue);
      const body = aCallBody({ to: number });
      const verbs = await verbsOf('/jambonz/call', body);
      const dialled = sipUriOf(dialOf(verbs));
      const next = dialled === first.sipUri ? second : first;

      const retry = await verbsOf('/jambonz/action/agents', {
        call_sid: body.call_sid,
        dial_call_status: 'no-answer',
        dial_sip_status: 480,
      });

      expect(sipUriOf(dialOf(retry))).toBe(next.sipUri);
    });
  });

  describe('when the agent rung declines on the desktop', () => {
    it('it moves the call off that dial to the next agent', async () => {
      const { queue, number } = await aQueueLine();
      const first = await anAgentIn(queue);
      const second = await anAgentIn(queue);
      const body = aCallBody({ to: number });
      const callSid = String(body.call_sid);
      const verbs = await verbsOf('/jambonz/call', body);
      const rung = sipUriOf(dialOf(verbs)) === first.sipUri ? first : second;
      const next = rung === first ? second : first;
      const pop = (await rung.desktop.next(
        isFrame('screen-pop'),
      )) as unknown as { offer: { offerId: string } };

      rung.desktop.send({ type: 'decline', offerId: pop.offer.offerId });

      const moved = await standIn.next(
        (request) => request.resource === `Calls/${callSid}`,
      );
      expect(moved.method).toBe('PUT');
      const connected = await verbsOf('/jambonz/queue-connect', body);
      expect(sipUriOf(dialOf(connected))).toBe(next.sipUri);
    });
  });

  describe('when the dial is answered and the call ends', () => {
    it('it accepts on answer and finishes the contact with wrap-up', async () => {
      const { queue, number } = await aQueueLine();
      const agent = await anAgentIn(queue);
      const body = aCallBody({ to: number });
      const callSid = String(body.call_sid);
      const verbs = await verbsOf('/jambonz/call', body);
      const confirm = String(dialOf(verbs)?.confirmHook);

      const answered = await post(confirm, { call_sid: 'agent-leg-1' });
      expect(answered.body).toEqual([]);
      expect((await running.app.agents.acd.agent(agent.id)).state).toBe(
        'on-contact',
      );

      const after = await verbsOf('/jambonz/action/agents', {
        call_sid: callSid,
        dial_call_status: 'completed',
      });
      expect(after.at(-1)?.verb).toBe('hangup');
      expect((await running.app.agents.acd.agent(agent.id)).state).toBe(
        'wrap-up',
      );
    });
  });

  describe('when the agent accepts on the desktop before the dial answers', () => {
    it('it bridges the call all the same and finishes it at hangup', async () => {
      const { queue, number } = await aQueueLine();
      const agent = await anAgentIn(queue);
      const body = aCallBody({ to: number });
      const callSid = String(body.call_sid);
      const pop = agent.desktop.next(isFrame('screen-pop'));
      const verbs = await verbsOf('/jambonz/call', body);
      const { offer } = (await pop) as unknown as {
        offer: { offerId: string };
      };

      agent.desktop.send({ type: 'accept', offerId: offer.offerId });
      await agent.desktop.next(isFrame('ack'));
      const answered = await post(String(dialOf(verbs)?.confirmHook), {
        call_sid: 'agent-leg-2',
      });
      expect(answered.body).toEqual([]);

      await post('/jambonz/status', aStatusBody(callSid, 'completed'));
      await until(
        async () =>
          (await running.app.agents.acd.agent(agent.id)).state === 'wrap-up',
      );
    });
  });

  describe('when the caller hangs up while waiting', () => {
    it('it counts the call abandoned in the queue stats', async () => {
      const { queue, number } = await aQueueLine();
      await anAgentIn(queue, false);
      const body = aCallBody({ to: number });
      await verbsOf('/jambonz/call', body);
      const before = await queueStats(queue);

      await post(
        '/jambonz/status',
        aStatusBody(String(body.call_sid), 'completed', { to: number }),
      );

      await until(async () => {
        const stats = await queueStats(queue);
        return stats.abandoned === before.abandoned + 1;
      });
      expect((await queueStats(queue)).waiting).toBe(0);
    });
  });

  describe('when jambonz retries a call webhook', () => {
    it('it does not queue the call twice', async () => {
      const { queue, number } = await aQueueLine();
      await anAgentIn(queue, false);
      const body = aCallBody({ to: number });

      await verbsOf('/jambonz/call', body);
      const again = await verbsOf('/jambonz/call', body);

      expect(again.at(-1)?.verb).toBe('enqueue');
      expect((await queueStats(queue)).waiting).toBe(1);
    });
  });

  describe('when a queue webhook names a call bridgeline does not know', () => {
    it('it apologises and hangs up, never a 500', async () => {
      const unknown = { call_sid: 'no-such-call-0001' };
      for (const path of [
        '/jambonz/queue-wait',
        '/jambonz/queue-connect',
        '/jambonz/queue-answered/no-such-call-0001',
      ]) {
        const verbs = await verbsOf(path, unknown);
        expect(verbs.at(-1)?.verb).toBe('hangup');
      }
    });

    it('it refuses an unsigned one', async () => {
      const reply = await postWebhook(running.base, '/jambonz/queue-wait', {
        call_sid: 'no-such-call-0002',
      });
      expect(reply.status).toBe(401);
    });
  });
});
