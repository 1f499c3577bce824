import { eventInput } from '../../src/context/events';
import { APOLOGY, MAX_NODES_PER_STEP, step } from '../../src/ivr/engine';
import type { Flow } from '../../src/ivr/flow';
import type { PublishedFlow } from '../../src/ivr/types';
import {
  aCallState,
  aCard,
  aContext,
  aConversation,
  aFlow,
  pressed,
  reply,
  spoken,
  startCall,
} from '../support/ivr-factories';

const twoMenus = aFlow({
  first: {
    type: 'menu',
    prompt: 'First question.',
    choices: [{ key: '1', next: 'second' }],
    on: { timeout: 'bye', noMatch: 'bye' },
  },
  second: {
    type: 'menu',
    prompt: 'Second question.',
    choices: [{ key: '1', next: 'bye' }],
    on: { timeout: 'bye', noMatch: 'bye' },
  },
  bye: { type: 'hangup', prompt: 'Bye.' },
});

/** A flow `main` calling subflow `verify`, which asks one question. */
function withSubflow(): { main: Flow; verify: Flow; flows: PublishedFlow[] } {
  const main = aFlow(
    {
      hello: { type: 'say', text: 'Hello.', next: 'check' },
      check: { type: 'subflow', flow: 'verify', next: 'after' },
      after: { type: 'hangup', prompt: 'Verified {{vars.pin}}.' },
    },
    { id: 'main' },
  );
  const verify = aFlow(
    {
      pin: {
        type: 'collect',
        prompt: 'Your PIN?',
        into: 'pin',
        next: 'done',
        on: { invalid: 'done', timeout: 'done' },
      },
      done: { type: 'return' },
    },
    { id: 'verify' },
  );
  return {
    main,
    verify,
    flows: [
      { flow: main, version: 3 },
      { flow: verify, version: 7 },
    ],
  };
}

describe('unit: the IVR engine', () => {
  describe('when a call starts', () => {
    it('runs from the start node until a node needs the caller', () => {
      const first = startCall(twoMenus);

      expect(first.verbs.map((v) => v.verb)).toEqual(['gather']);
      expect(first.state).toMatchObject({
        awaiting: 'first',
        attempts: 1,
        path: ['first'],
        ended: false,
      });
    });

    it('greets a known caller by name and reads out their open conversation', () => {
      const flow = aFlow({
        hi: {
          type: 'say',
          text:
            'Hi {{customer.firstName | there}}, ' +
            'about {{conversation.subject}}?',
          next: 'bye',
        },
        bye: { type: 'hangup' },
      });
      const card = aCard({ name: 'Ada Lovelace' }, [
        aConversation({
          id: 'old',
          subject: 'an old order',
          updatedAt: '2026-12-07T10:00:00.000Z',
        }),
        aConversation({
          id: 'new',
          subject: 'your refund',
          updatedAt: '2026-12-08T14:00:00.000Z',
        }),
        aConversation({
          id: 'this-call',
          subject: 'Phone call',
          currentChannel: 'voice',
          updatedAt: '2026-12-08T15:00:00.000Z',
        }),
      ]);
      const state = aCallState(flow, { conversationId: 'this-call' });

      const first = startCall(flow, aContext({ card }), state);

      expect(spoken(first)).toEqual(['Hi Ada, about your refund?']);
    });

    it('falls back where an unknown caller has no name', () => {
      const flow = aFlow({
        hi: { type: 'hangup', prompt: 'Hi {{customer.firstName | there}}.' },
      });

      expect(spoken(startCall(flow))).toEqual(['Hi there.']);
    });

    it('starts with the flow variables, which set nodes change', () => {
      const flow = aFlow(
        {
          mark: {
            type: 'set',
            values: { team: 'priority {{vars.team}}', greeted: 'yes' },
            next: 'bye',
          },
          bye: { type: 'hangup', prompt: '{{vars.team}} {{vars.greeted}}' },
        },
        { variables: { team: 'billing' } },
      );

      const first = startCall(flow);

      expect(first.state.vars).toEqual({
        team: 'priority billing',
        greeted: 'yes',
      });
      expect(spoken(first)).toEqual(['priority billing yes']);
    });

    it('leaves the state it was given untouched', () => {
      const state = aCallState(twoMenus);
      const copy = structuredClone(state);

      reply(twoMenus, startCall(twoMenus, aContext(), state), pressed('1'));

      expect(state).toEqual(copy);
    });
  });

  describe('when it records the call on the timeline', () => {
    it('writes one valid ivr.step per node passed, with prompt and input', () => {
      const state = aCallState(twoMenus, { conversationId: 'conv-7' });
      const first = startCall(twoMenus, aContext(), state);
      const second = reply(twoMenus, first, pressed('1'));

      const steps = [...first.events, ...second.events];
      expect(steps).toEqual([
        expect.objectContaining({ node: 'first', prompt: 'First question.' }),
        expect.objectContaining({ node: 'first', input: '1' }),
        expect.objectContaining({ node: 'second', prompt: 'Second question.' }),
      ]);
      for (const event of steps) {
        expect(event).toMatchObject({
          type: 'ivr.step',
          callSid: 'CA-test-1',
          flowId: 'test-flow',
          conversationId: 'conv-7',
          at: '2026-12-08T15:00:00.000Z',
        });
        expect(eventInput.safeParse(event).success).toBe(true);
      }
    });
  });

  describe('when an action hook does not match the awaited node', () => {
    it('asks the awaited node again instead of following the stale hook', () => {
      const second = reply(twoMenus, startCall(twoMenus), pressed('1'));

      const stale = step(
        twoMenus,
        second.state,
        {
          kind: 'action',
          node: 'first',
          payload: { call_sid: 'CA-test-1', digits: '1' },
        },
        aContext(),
      );

      expect(spoken(stale)).toEqual(['Second question.']);
      expect(stale.state.awaiting).toBe('second');
      expect(stale.fault).toBeUndefined();
    });

    it('apologises and hangs up when the call awaits nothing', () => {
      const ended = startCall(aFlow({ bye: { type: 'hangup' } }));

      const late = reply(twoMenus, ended, pressed('1'));

      expect(late.verbs).toEqual([
        expect.objectContaining({ verb: 'say', text: APOLOGY }),
        { verb: 'hangup' },
      ]);
      expect(late.fault).toMatch(/awaits no input/);
    });
  });

  describe('when the flow cannot go on as written', () => {
    it('apologises and hangs up at a transition to a missing node', () => {
      const broken = { ...twoMenus, start: 'nowhere' };

      const first = startCall(broken);

      expect(spoken(first)).toEqual([APOLOGY]);
      expect(first.verbs.at(-1)).toEqual({ verb: 'hangup' });
      expect(first.state.ended).toBe(true);
      expect(first.fault).toMatch(/nowhere does not exist/);
    });

    it(`stops a loop without input after ${MAX_NODES_PER_STEP} nodes`, () => {
      const loop = aFlow({
        ping: { type: 'say', text: 'Ping.', next: 'pong' },
        pong: { type: 'goto', target: 'ping' },
      });

      const first = startCall(loop);

      expect(first.state.path).toHaveLength(MAX_NODES_PER_STEP);
      expect(first.verbs.at(-1)).toEqual({ verb: 'hangup' });
      expect(first.fault).toMatch(/loop/);
    });

    it('apologises when a subflow is not published', () => {
      const { main } = withSubflow();

      const first = startCall(main);

      expect(spoken(first)).toEqual(['Hello.', APOLOGY]);
      expect(first.fault).toMatch(/subflow verify/);
    });

    it('apologises when a service the flow relies on throws', () => {
      const flow = aFlow({
        agents: { type: 'queue', queue: 'sales', on: { unavailable: 'bye' } },
        bye: { type: 'hangup' },
      });
      const broken = aContext({
        capabilities: {
          queue: {
            available: () => {
              throw new Error('router down');
            },
          },
        },
      });

      const first = startCall(flow, broken);

      expect(spoken(first)).toEqual([APOLOGY]);
      expect(first.verbs.at(-1)).toEqual({ verb: 'hangup' });
      expect(first.fault).toBe('the engine failed: router down');
    });

    it("never mistakes Object's own properties for nodes or variables", () => {
      const flow = aFlow({
        check: {
          type: 'branch',
          conditions: [
            { when: { variable: { name: 'constructor' } }, next: 'bye' },
          ],
          next: 'constructor',
        },
        bye: { type: 'hangup', prompt: '{{vars.toString | nothing}}' },
      });

      const first = startCall(flow);

      expect(first.fault).toBe(
        'node constructor does not exist in flow test-flow',
      );
      const fine = startCall({ ...flow, start: 'bye' });
      expect(spoken(fine)).toEqual(['nothing']);
    });

    it('apologises at a return outside any subflow', () => {
      const first = startCall(aFlow({ done: { type: 'return' } }));

      expect(first.fault).toMatch(/outside a subflow/);
    });
  });

  describe('when a flow calls a subflow', () => {
    it('runs the subflow pinned to its version and returns to the caller', () => {
      const { main, verify, flows } = withSubflow();
      const context = aContext({
        flows: (id, version) =>
          flows.find(
            (f) =>
              f.flow.id === id &&
              (version === undefined || f.version === version),
          ),
      });

      const first = startCall(
        main,
        context,
        aCallState(main, { flowVersion: 3 }),
      );
      expect(first.state).toMatchObject({
        flowId: 'verify',
        flowVersion: 7,
        awaiting: 'pin',
        stack: [{ flowId: 'main', flowVersion: 3, next: 'after' }],
      });

      // The webhook loads the flow the state names: the subflow.
      const done = reply(verify, first, pressed('4321'), context);
      expect(spoken(done)).toEqual(['Verified 4321.']);
      expect(done.state).toMatchObject({
        flowId: 'main',
        flowVersion: 3,
        stack: [],
      });
      expect(
        [...first.events, ...done.events].map((e) =>
          e.type === 'ivr.step' ? `${e.flowId ?? ''}:${e.node}` : e.type,
        ),
      ).toEqual([
        'main:hello',
        'main:check',
        'verify:pin',
        'verify:pin',
        'verify:done',
        'main:after',
      ]);
      expect(done.state.path).toEqual([
        'hello',
        'check',
        'verify/pin',
        'verify/done',
        'after',
      ]);
    });
  });
});
