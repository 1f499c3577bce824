import {
  aContext,
  aFlow,
  pressed,
  reply,
  said,
  silence,
  spoken,
  startCall,
} from '../support/ivr-factories';

const menuFlow = aFlow({
  menu: {
    type: 'menu',
    prompt: 'For billing press 1, for sales press 2.',
    choices: [
      { key: '1', phrases: ['billing', 'invoice'], next: 'billing' },
      { key: '2', phrases: ['sales'], next: 'sales' },
    ],
    timeoutSeconds: 7,
    retries: 1,
    noInputPrompt: 'Sorry, I did not hear you.',
    noMatchPrompt: 'Sorry, I did not get that.',
    on: { timeout: 'gave-up', noMatch: 'operator' },
  },
  billing: { type: 'hangup', prompt: 'Billing.' },
  sales: { type: 'hangup', prompt: 'Sales.' },
  'gave-up': { type: 'hangup', prompt: 'Goodbye.' },
  operator: { type: 'hangup', prompt: 'Operator.' },
});

const collectFlow = aFlow({
  account: {
    type: 'collect',
    prompt: 'Enter your six digit account number, then hash.',
    into: 'account',
    minLength: 6,
    maxLength: 6,
    pattern: '[0-9]+',
    retries: 1,
    invalidPrompt: 'That is not an account number.',
    next: 'confirm',
    on: { invalid: 'no-account', timeout: 'no-account' },
  },
  confirm: { type: 'hangup', prompt: 'Account {{vars.account}}, thanks.' },
  'no-account': { type: 'hangup', prompt: 'We could not get it.' },
});

describe('unit: IVR menus and collected answers', () => {
  describe('when a menu is reached', () => {
    it('asks with one gather that takes a key or speech and reports back', () => {
      const first = startCall(menuFlow);

      expect(first.verbs).toEqual([
        {
          verb: 'gather',
          actionHook: '/jambonz/action/menu',
          input: ['digits', 'speech'],
          numDigits: 1,
          timeout: 7,
          say: {
            text: 'For billing press 1, for sales press 2.',
            synthesizer: { vendor: 'default', language: 'en-US' },
          },
          recognizer: {
            vendor: 'default',
            language: 'en-US',
            hints: ['billing', 'invoice', 'sales'],
          },
        },
      ]);
      expect(first.state.awaiting).toBe('menu');
    });

    it('listens for keys only when the menu takes only digits', () => {
      const digitsOnly = aFlow({
        menu: {
          type: 'menu',
          prompt: 'Press 1.',
          input: ['digits'],
          choices: [{ key: '1', next: 'done' }],
          on: { timeout: 'done', noMatch: 'done' },
        },
        done: { type: 'hangup' },
      });

      const [gather] = startCall(digitsOnly).verbs;

      expect(gather).toMatchObject({ input: ['digits'], numDigits: 1 });
      expect(gather).not.toHaveProperty('recognizer');
    });
  });

  describe('when the caller answers a menu', () => {
    it('follows the choice of the key pressed', () => {
      const next = reply(menuFlow, startCall(menuFlow), pressed('2'));

      expect(spoken(next)).toEqual(['Sales.']);
      expect(next.state.path).toEqual(['menu', 'sales']);
    });

    it('follows the choice whose phrase the caller said, in any case', () => {
      const next = reply(
        menuFlow,
        startCall(menuFlow),
        said('I have a question about my INVOICE'),
      );

      expect(spoken(next)).toEqual(['Billing.']);
    });

    it('takes a spoken key as that key', () => {
      const next = reply(menuFlow, startCall(menuFlow), said('2.'));

      expect(spoken(next)).toEqual(['Sales.']);
    });

    it('re-asks after silence with the no-input prompt, then gives up', () => {
      const first = startCall(menuFlow);
      const second = reply(menuFlow, first, silence());
      const third = reply(menuFlow, second, silence());

      expect(spoken(second)).toEqual([
        'Sorry, I did not hear you. For billing press 1, for sales press 2.',
      ]);
      expect(second.state).toMatchObject({ awaiting: 'menu', attempts: 2 });
      expect(spoken(third)).toEqual(['Goodbye.']);
      expect(third.state.ended).toBe(true);
    });

    it('re-asks a wrong answer with the no-match prompt, then goes on.noMatch', () => {
      const second = reply(menuFlow, startCall(menuFlow), pressed('9'));
      const third = reply(menuFlow, second, said('pizza'));

      expect(spoken(second)[0]).toMatch(/^Sorry, I did not get that\. For/);
      expect(spoken(third)).toEqual(['Operator.']);
    });

    it('counts silences and wrong answers together against the retries', () => {
      const second = reply(menuFlow, startCall(menuFlow), pressed('9'));
      const third = reply(menuFlow, second, silence());

      expect(spoken(third)).toEqual(['Goodbye.']);
    });

    it('records the key or words on the timeline, cut to 256 characters', () => {
      const long = `billing ${'a'.repeat(400)}`;
      const next = reply(menuFlow, startCall(menuFlow), said(long));

      const resumed = next.events.find(
        (e) => e.type === 'ivr.step' && e.node === 'menu',
      );
      expect(resumed).toMatchObject({ input: long.slice(0, 256) });
    });
  });

  describe('when a collect node asks for digits', () => {
    it('gathers digits between the lengths, ended by the finish key', () => {
      const [gather] = startCall(collectFlow).verbs;

      expect(gather).toMatchObject({
        verb: 'gather',
        input: ['digits'],
        minDigits: 6,
        maxDigits: 6,
        finishOnKey: '#',
        actionHook: '/jambonz/action/account',
      });
    });

    it('keeps a valid answer in its variable for later prompts', () => {
      const next = reply(
        collectFlow,
        startCall(collectFlow),
        pressed('123456'),
      );

      expect(next.state.vars.account).toBe('123456');
      expect(spoken(next)).toEqual(['Account 123456, thanks.']);
    });

    it('re-asks with the invalid prompt for a wrong length or pattern', () => {
      const short = reply(collectFlow, startCall(collectFlow), pressed('123'));
      const letters = reply(collectFlow, short, said('abcdef'));

      expect(spoken(short)[0]).toMatch(/^That is not an account number\./);
      expect(short.state.vars).not.toHaveProperty('account');
      expect(spoken(letters)).toEqual(['We could not get it.']);
    });

    it('takes on.timeout once silence has used the retries', () => {
      const second = reply(collectFlow, startCall(collectFlow), silence());
      const third = reply(collectFlow, second, silence());

      expect(spoken(second)).toEqual([
        'Enter your six digit account number, then hash.',
      ]);
      expect(spoken(third)).toEqual(['We could not get it.']);
    });
  });

  describe('when a collect node asks for speech', () => {
    it('listens for speech in the flow language and keeps the words', () => {
      const flow = aFlow(
        {
          reason: {
            type: 'collect',
            prompt: 'Dites-nous pourquoi vous appelez.',
            input: 'speech',
            into: 'reason',
            maxLength: 64,
            next: 'done',
            on: { invalid: 'done', timeout: 'done' },
          },
          done: { type: 'hangup', prompt: 'Merci: {{vars.reason}}' },
        },
        { language: 'fr-FR', voice: 'Lea' },
      );
      const first = startCall(flow, aContext());

      expect(first.verbs[0]).toMatchObject({
        input: ['speech'],
        recognizer: { vendor: 'default', language: 'fr-FR' },
        say: { synthesizer: { language: 'fr-FR', voice: 'Lea' } },
      });
      expect(spoken(reply(flow, first, said('ma facture')))).toEqual([
        'Merci: ma facture',
      ]);
    });
  });
});
