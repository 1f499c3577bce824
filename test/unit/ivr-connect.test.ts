import { eventInput } from '../../src/context/events';
import { step, stepThrough } from '../../src/ivr/engine';
import {
  aCallState,
  aContext,
  aFlow,
  pressed,
  reply,
  spoken,
  startCall,
} from '../support/ivr-factories';

const fallback = { type: 'hangup', prompt: 'Please try later.' } as const;

const queueFlow = aFlow({
  billing: {
    type: 'queue',
    queue: 'billing',
    skills: ['billing'],
    prompt: 'One moment please.',
    on: { unavailable: 'busy' },
  },
  busy: { type: 'hangup', prompt: 'Everyone is busy.' },
});

const transferFlow = (to: string) =>
  aFlow({
    outside: {
      type: 'transfer',
      to,
      prompt: 'Transferring you now.',
      timeoutSeconds: 20,
      on: { failure: 'failed' },
    },
    failed: fallback,
  });

const voicemailFlow = aFlow({
  message: {
    type: 'voicemail',
    prompt: 'Leave a message after the tone.',
    maxSeconds: 90,
    next: 'thanks',
  },
  thanks: { type: 'hangup', prompt: 'Thanks.' },
});

describe('unit: IVR nodes that connect the caller', () => {
  describe('when a call reaches a queue', () => {
    it('speaks the prompt and takes on.unavailable while no agents exist', () => {
      const first = startCall(queueFlow);

      expect(spoken(first)).toEqual([
        'One moment please.',
        'Everyone is busy.',
      ]);
      expect(first.state.path).toEqual(['billing', 'busy']);
    });

    it('takes on.unavailable when the queue capability has nobody', () => {
      const asked: string[][] = [];
      const context = aContext({
        capabilities: {
          queue: {
            available: (queue, skills) => {
              asked.push([queue, ...skills]);
              return false;
            },
          },
        },
      });

      expect(spoken(startCall(queueFlow, context))).toContain(
        'Everyone is busy.',
      );
      expect(asked).toEqual([['billing', 'billing']]);
    });

    it('parks the caller in the jambonz queue when someone is available', () => {
      const context = aContext({
        capabilities: { queue: { available: () => true } },
      });
      const first = startCall(queueFlow, context);

      expect(first.verbs.at(-1)).toEqual({
        verb: 'enqueue',
        name: 'billing',
        actionHook: '/jambonz/action/billing',
      });
      expect(
        reply(queueFlow, first, { queue_result: 'bridged' }, context),
      ).toMatchObject({ verbs: [{ verb: 'hangup' }], state: { ended: true } });
      expect(
        spoken(reply(queueFlow, first, { queue_result: 'error' }, context)),
      ).toEqual(['Everyone is busy.']);
    });
  });

  describe('when a call reaches a transfer', () => {
    it('dials an allow-listed number as a phone target', () => {
      const flow = transferFlow('+14155550100');
      const context = aContext({ transferAllowlist: ['+14155550100'] });

      expect(startCall(flow, context).verbs).toEqual([
        expect.objectContaining({ verb: 'say', text: 'Transferring you now.' }),
        {
          verb: 'dial',
          actionHook: '/jambonz/action/outside',
          timeout: 20,
          target: [{ type: 'phone', number: '+14155550100' }],
        },
      ]);
    });

    it('dials an allow-listed SIP URI as a sip target', () => {
      const uri = 'sip:desk@pbx.example.com';
      const first = startCall(
        transferFlow(uri),
        aContext({ transferAllowlist: [uri] }),
      );

      expect(first.verbs.at(-1)).toMatchObject({
        target: [{ type: 'sip', sipUri: uri }],
      });
    });

    it('never dials a destination missing from the allow-list', () => {
      const first = startCall(
        transferFlow('+14155550100'),
        aContext({ transferAllowlist: ['+14155550199'] }),
      );

      expect(first.verbs.map((v) => v.verb)).toEqual(['say', 'hangup']);
      expect(spoken(first)).toEqual(['Please try later.']);
    });

    it('hangs up once the transferred call completes', () => {
      const flow = transferFlow('+14155550100');
      const context = aContext({ transferAllowlist: ['+14155550100'] });
      const done = reply(
        flow,
        startCall(flow, context),
        { dial_call_status: 'completed' },
        context,
      );

      expect(done.verbs).toEqual([{ verb: 'hangup' }]);
      expect(done.state.ended).toBe(true);
    });

    it.each(['busy', 'no-answer', 'failed'])(
      'takes on.failure when the dial ends %s',
      (status) => {
        const flow = transferFlow('+14155550100');
        const context = aContext({ transferAllowlist: ['+14155550100'] });
        const next = reply(
          flow,
          startCall(flow, context),
          { dial_call_status: status },
          context,
        );

        expect(spoken(next)).toEqual(['Please try later.']);
      },
    );
  });

  describe('when a call reaches a handoff or a callback', () => {
    const offers = aFlow({
      choose: {
        type: 'menu',
        prompt: 'Press 1 for a text, 2 for a call back.',
        choices: [
          { key: '1', next: 'text' },
          { key: '2', next: 'later' },
        ],
        on: { timeout: 'sorry', noMatch: 'sorry' },
      },
      text: {
        type: 'handoff',
        channel: 'sms',
        prompt: 'We sent you a link.',
        next: 'sent',
        on: { unavailable: 'sorry' },
      },
      later: {
        type: 'callback',
        prompt: 'We will call you back.',
        next: 'sent',
        on: { unavailable: 'sorry' },
      },
      sent: { type: 'hangup', prompt: 'Goodbye.' },
      sorry: { type: 'hangup', prompt: 'Sorry, not today.' },
    });

    it('takes on.unavailable without promising anything', () => {
      const first = startCall(offers);

      expect(spoken(reply(offers, first, pressed('1')))).toEqual([
        'Sorry, not today.',
      ]);
      expect(spoken(reply(offers, first, pressed('2')))).toEqual([
        'Sorry, not today.',
      ]);
    });

    it('goes on to next when the service says it can help', () => {
      const channels: string[] = [];
      const context = aContext({
        capabilities: {
          handoff: {
            available: (channel) => {
              channels.push(channel);
              return true;
            },
          },
          callback: { available: () => true },
        },
      });
      const first = startCall(offers, context);

      expect(spoken(reply(offers, first, pressed('1'), context))).toEqual([
        'We sent you a link.',
        'Goodbye.',
      ]);
      expect(channels).toEqual(['sms']);
      expect(spoken(reply(offers, first, pressed('2'), context))).toEqual([
        'We will call you back.',
        'Goodbye.',
      ]);
    });
  });

  describe('when an offer needs its service to act', () => {
    const offers = aFlow({
      text: {
        type: 'handoff',
        channel: 'sms',
        prompt: 'We sent you a link.',
        next: 'sent',
        on: { unavailable: 'sorry' },
      },
      sent: { type: 'hangup', prompt: 'Goodbye.' },
      sorry: { type: 'hangup', prompt: 'Sorry, not today.' },
    });
    const context = aContext({
      capabilities: { handoff: { available: () => true } },
    });

    it('stops at the node with the effect and promises nothing yet', () => {
      const stopped = step(
        offers,
        aCallState(offers),
        { kind: 'start' },
        context,
      );

      expect(stopped.effect).toEqual({
        kind: 'handoff',
        channel: 'sms',
        node: 'text',
      });
      expect(stopped.verbs).toEqual([]);
      expect(stopped.state.awaiting).toBe('text');
    });

    it.each([
      ['done', ['We sent you a link.', 'Goodbye.']],
      ['unavailable', ['Sorry, not today.']],
    ] as const)('when the effect is %s, says %j', (outcome, prompts) => {
      const result = stepThrough(
        offers,
        aCallState(offers),
        { kind: 'start' },
        context,
        () => outcome,
      );

      expect(result.effect).toBeUndefined();
      expect(spoken(result)).toEqual(prompts);
    });

    it('does not take an effect outcome from a jambonz body as done', () => {
      const stopped = step(
        offers,
        aCallState(offers),
        { kind: 'start' },
        context,
      );

      const resumed = reply(
        offers,
        stopped,
        { effect: 'unavailable' },
        context,
      );

      expect(spoken(resumed)).toEqual(['Sorry, not today.']);
    });
  });

  describe('when a call reaches a voicemail', () => {
    it('beeps and streams the caller to the voicemail socket of the call', () => {
      const first = startCall(voicemailFlow);

      expect(first.verbs).toEqual([
        expect.objectContaining({ text: 'Leave a message after the tone.' }),
        {
          verb: 'listen',
          url: 'wss://bl.example.com/jambonz/voicemail/CA-test-1?token=t',
          actionHook: '/jambonz/action/message',
          playBeep: true,
          maxLength: 90,
          finishOnKey: '#',
        },
      ]);
    });

    it('records a voicemail event with the recording and goes on', () => {
      const state = aCallState(voicemailFlow, { conversationId: 'conv-9' });
      const done = reply(
        voicemailFlow,
        startCall(voicemailFlow, aContext(), state),
        {
          recording_url: 'https://bl.example.com/api/recordings/CA-test-1.wav',
          duration: 12.4,
        },
      );

      const voicemail = done.events.find((e) => e.type === 'voicemail');
      expect(voicemail).toEqual({
        type: 'voicemail',
        at: '2026-12-08T15:00:00.000Z',
        callSid: 'CA-test-1',
        recordingUrl: 'https://bl.example.com/api/recordings/CA-test-1.wav',
        durationSeconds: 12,
        conversationId: 'conv-9',
      });
      expect(eventInput.safeParse(voicemail).success).toBe(true);
      expect(spoken(done)).toEqual(['Thanks.']);
    });

    it('goes on without a voicemail event when no recording came', () => {
      const done = reply(voicemailFlow, startCall(voicemailFlow), {
        recording_url: 'javascript:alert(1)',
      });

      expect(done.events.map((e) => e.type)).not.toContain('voicemail');
      expect(spoken(done)).toEqual(['Thanks.']);
    });
  });
});
