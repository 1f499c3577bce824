import { step } from '../../src/ivr/engine';
import type {
  ActionPayload,
  QueuePlacement,
  StepResult,
} from '../../src/ivr/types';
import { placeWords } from '../../src/voice/queue-webhooks';
import {
  aCallState,
  aContext,
  aFlow,
  expectValidVerbs,
  spoken,
} from '../support/ivr-factories';

const flow = aFlow({
  billing: {
    type: 'queue',
    queue: 'billing',
    skills: ['billing'],
    priority: 7,
    prompt: 'One moment please.',
    on: { unavailable: 'busy' },
  },
  busy: { type: 'hangup', prompt: 'Everyone is busy.' },
});

const routing = aContext({
  capabilities: { queue: { available: () => true } },
});

function entered(): StepResult {
  return step(flow, aCallState(flow), { kind: 'start' }, routing);
}

function resumed(
  from: StepResult,
  payload: Omit<ActionPayload, 'call_sid'>,
): StepResult {
  return step(
    flow,
    from.state,
    {
      kind: 'action',
      node: 'billing',
      payload: { call_sid: 'CA-test-1', ...payload },
    },
    routing,
  );
}

const agent: QueuePlacement = {
  placed: 'agent',
  sipUri: 'sip:ada@agents.example.test',
  ringSeconds: 15,
};

describe('unit: the queue node routes through the ACD', () => {
  describe('when routing runs', () => {
    it('it speaks the prompt and stops for a queue effect', () => {
      const first = entered();

      expect(spoken(first)).toEqual(['One moment please.']);
      expect(first.effect).toEqual({
        kind: 'queue',
        queue: 'billing',
        skills: ['billing'],
        priority: 7,
        node: 'billing',
      });
    });
  });

  describe('when the ACD picked an agent', () => {
    it('it dials the agent with a confirm hook and an action hook', () => {
      const dialled = resumed(entered(), { effect: 'done', placement: agent });

      expect(dialled.verbs).toEqual([
        {
          verb: 'dial',
          actionHook: '/jambonz/action/billing',
          confirmHook: '/jambonz/queue-answered/CA-test-1',
          answerOnBridge: true,
          timeout: 15,
          target: [{ type: 'sip', sipUri: agent.sipUri }],
        },
      ]);
      expectValidVerbs(dialled.verbs);
      expect(dialled.state.awaiting).toBe('billing');
    });

    it('it hangs up once the dial completed', () => {
      const dialled = resumed(entered(), { effect: 'done', placement: agent });
      const over = resumed(dialled, { dial_call_status: 'completed' });

      expect(over.verbs).toEqual([{ verb: 'hangup' }]);
      expect(over.state.ended).toBe(true);
    });

    it('it routes again when the agent did not answer', () => {
      const dialled = resumed(entered(), { effect: 'done', placement: agent });
      const again = resumed(dialled, { dial_call_status: 'no-answer' });

      expect(again.effect).toMatchObject({ kind: 'queue', queue: 'billing' });
    });
  });

  describe('when the caller has to wait', () => {
    it('it parks them in the jambonz queue with a wait hook', () => {
      const parked = resumed(entered(), {
        effect: 'done',
        placement: { placed: 'waiting', position: 2, estimatedWaitSeconds: 90 },
      });

      expect(parked.verbs).toEqual([
        {
          verb: 'enqueue',
          name: 'billing',
          actionHook: '/jambonz/action/billing',
          waitHook: '/jambonz/queue-wait',
        },
      ]);
      expectValidVerbs(parked.verbs);
    });
  });

  describe('when no queue took the call', () => {
    it('it takes on.unavailable', () => {
      const busy = resumed(entered(), { effect: 'unavailable' });

      expect(spoken(busy)).toEqual(['Everyone is busy.']);
    });
  });
});

describe('unit: what a waiting caller hears', () => {
  it('it says a wait under a minute as such', () => {
    expect(placeWords(1, 40)).toBe(
      'You are number 1 in line; the wait is less than a minute.',
    );
  });

  it('it rounds a longer wait to whole minutes', () => {
    expect(placeWords(3, 80)).toBe(
      'You are number 3 in line; the wait is about a minute.',
    );
    expect(placeWords(4, 200)).toBe(
      'You are number 4 in line; the wait is about 3 minutes.',
    );
  });
});
