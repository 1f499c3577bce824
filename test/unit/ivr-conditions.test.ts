import { holds, type ConditionFacts } from '../../src/ivr/conditions';
import type { Condition } from '../../src/ivr/flow';
import {
  aCard,
  aConversation,
  aTuesdayMorning,
} from '../support/ivr-factories';

// aTuesdayMorning is 15:00 UTC; aConversation was updated at 13:00 UTC.
const facts = (overrides: Partial<ConditionFacts> = {}): ConditionFacts => ({
  card: aCard({ tier: 'gold', language: 'es-MX' }, [aConversation()]),
  vars: {},
  now: aTuesdayMorning,
  ...overrides,
});

const unknown = facts({ card: undefined });

describe('unit: IVR branch conditions', () => {
  describe('when the test is about who is calling', () => {
    it('tells a known caller from an unknown one', () => {
      expect(holds({ caller: 'known' }, facts())).toBe(true);
      expect(holds({ caller: 'known' }, unknown)).toBe(false);
      expect(holds({ caller: 'unknown' }, unknown)).toBe(true);
    });

    it('matches the tier against the listed tiers', () => {
      expect(holds({ tier: ['silver', 'gold'] }, facts())).toBe(true);
      expect(holds({ tier: ['platinum'] }, facts())).toBe(false);
      expect(holds({ tier: ['gold'] }, unknown)).toBe(false);
    });

    it('matches a language by its prefix', () => {
      expect(holds({ language: 'es' }, facts())).toBe(true);
      expect(holds({ language: 'es-MX' }, facts())).toBe(true);
      expect(holds({ language: 'es-ES' }, facts())).toBe(false);
      expect(holds({ language: 'e' }, facts())).toBe(false);
    });
  });

  describe('when the test asks for an open conversation', () => {
    it('holds for one updated within the hours, on any channel', () => {
      expect(holds({ openConversation: { withinHours: 2 } }, facts())).toBe(
        true,
      );
      expect(holds({ openConversation: { withinHours: 1 } }, facts())).toBe(
        false,
      );
    });

    it('holds only for the channel named', () => {
      const onChat = { openConversation: { channel: 'chat', withinHours: 24 } };
      const onEmail = {
        openConversation: { channel: 'email', withinHours: 24 },
      };

      expect(holds(onChat as Condition, facts())).toBe(true);
      expect(holds(onEmail as Condition, facts())).toBe(false);
    });

    it('ignores closed conversations', () => {
      const closed = aCard({}, [aConversation({ status: 'closed' })]);

      expect(
        holds(
          { openConversation: { withinHours: 24 } },
          facts({ card: closed }),
        ),
      ).toBe(false);
    });

    it('ignores the conversation the call itself belongs to', () => {
      const own = facts({ ownConversationId: 'conv-1' });

      expect(holds({ openConversation: { withinHours: 24 } }, own)).toBe(false);
    });
  });

  describe('when the test is about a flow variable', () => {
    const vars = facts({ vars: { account: '123456', empty: '' } });

    it('compares with equals, in and a full-match pattern', () => {
      const account = (
        test: Omit<NonNullable<Condition['variable']>, 'name'>,
      ) => holds({ variable: { name: 'account', ...test } }, vars);

      expect(account({ equals: '123456' })).toBe(true);
      expect(account({ equals: '12345' })).toBe(false);
      expect(account({ in: ['1', '123456'] })).toBe(true);
      expect(account({ matches: '[0-9]{6}' })).toBe(true);
      expect(account({ matches: '[0-9]{3}' })).toBe(false);
      expect(account({ matches: '(' })).toBe(false);
    });

    it('matches nothing with a pattern that could backtrack without bound', () => {
      // A flow stored before validation refused such patterns: (a+)+!
      // would match here, and backtrack for hours on a's without the '!'.
      const said = (matches: string) =>
        holds(
          { variable: { name: 'said', matches } },
          facts({ vars: { said: 'aaaa!' } }),
        );

      expect(said('(a+)+!')).toBe(false);
      expect(said('a+!')).toBe(true);
    });

    it('asks whether a variable named alone holds anything', () => {
      expect(holds({ variable: { name: 'account' } }, vars)).toBe(true);
      expect(holds({ variable: { name: 'empty' } }, vars)).toBe(false);
      expect(holds({ variable: { name: 'missing' } }, vars)).toBe(false);
    });
  });

  describe('when tests are combined', () => {
    it('needs every key of one condition to hold', () => {
      expect(holds({ caller: 'known', tier: ['gold'] }, facts())).toBe(true);
      expect(holds({ caller: 'known', tier: ['bronze'] }, facts())).toBe(false);
    });

    it('supports all, any and not', () => {
      const gold: Condition = { tier: ['gold'] };
      const bronze: Condition = { tier: ['bronze'] };

      expect(holds({ all: [gold, { caller: 'known' }] }, facts())).toBe(true);
      expect(holds({ all: [gold, bronze] }, facts())).toBe(false);
      expect(holds({ any: [bronze, gold] }, facts())).toBe(true);
      expect(holds({ not: bronze }, facts())).toBe(true);
      expect(holds({ not: gold }, facts())).toBe(false);
    });
  });
});
