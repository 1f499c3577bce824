import {
  candidateAgent,
  decideRoute,
  redirectContact,
  type AgentReach,
  type RoutingFacts,
} from '../../src/voice/sip/decide';
import { scannerMatcher } from '../../src/voice/sip/scanners';
import { aCard, aConversation, aPolicy } from '../support/sip-factories';

const caller = '+14155550100';

function facts(overrides: Partial<RoutingFacts> = {}): RoutingFacts {
  return {
    callerNumber: caller,
    userAgent: 'Zoiper rv2.10',
    card: undefined,
    agent: undefined,
    ...overrides,
  };
}

function reach(overrides: Partial<AgentReach> = {}): AgentReach {
  return {
    agentId: 'agent-7',
    contact: '<sip:agent7@10.0.0.7:5060>',
    presence: 'available',
    ...overrides,
  };
}

describe('the SIP routing decision', () => {
  describe('when the caller is known and their agent can take the call', () => {
    it('sends the call to the agent of the open conversation', () => {
      const conversation = aConversation({ agentId: 'agent-7' });
      const card = aCard({ open: [conversation] });
      expect(decideRoute(facts({ card, agent: reach() }), aPolicy())).toEqual({
        action: 'agent',
        agentId: 'agent-7',
        contact: '<sip:agent7@10.0.0.7:5060>',
        headers: {
          'X-Bridgeline-Customer': card.customer.id,
          'X-Bridgeline-Conversation': conversation.id,
        },
      });
    });

    it("falls back to the customer's preferred agent", () => {
      const card = aCard({ preferredAgent: 'agent-7' });
      const decision = decideRoute(facts({ card, agent: reach() }), aPolicy());
      expect(decision).toMatchObject({ action: 'agent', agentId: 'agent-7' });
    });

    it('prefers the agent of the most recently updated open conversation', () => {
      const card = aCard({
        preferredAgent: 'agent-1',
        open: [
          aConversation({
            agentId: 'agent-2',
            updatedAt: '2025-03-01T08:00:00Z',
          }),
          aConversation({
            agentId: 'agent-3',
            updatedAt: '2025-03-02T08:00:00Z',
          }),
        ],
      });
      expect(candidateAgent(card)).toBe('agent-3');
    });
  });

  describe('when the agent cannot take the call', () => {
    const card = aCard({ open: [aConversation({ agentId: 'agent-7' })] });

    it.each([
      ['not registered', reach({ contact: undefined })],
      ['busy', reach({ presence: 'busy' })],
      ['away', reach({ presence: 'away' })],
      ['someone else', reach({ agentId: 'agent-8' })],
    ])('sends the caller to the IVR when the agent is %s', (_what, agent) => {
      const decision = decideRoute(facts({ card, agent }), aPolicy());
      expect(decision).toMatchObject({
        action: 'ivr',
        uri: 'sip:ivr@jambonz.example.com',
        headers: { 'X-Bridgeline-Customer': card.customer.id },
      });
    });

    it('sends the caller to the IVR when the agent lookup gave nothing', () => {
      expect(decideRoute(facts({ card }), aPolicy()).action).toBe('ivr');
    });
  });

  it('sends a known caller without an agent to the IVR with their ids', () => {
    const conversation = aConversation();
    const card = aCard({ open: [conversation] });
    expect(decideRoute(facts({ card }), aPolicy())).toEqual({
      action: 'ivr',
      uri: 'sip:ivr@jambonz.example.com',
      headers: {
        'X-Bridgeline-Customer': card.customer.id,
        'X-Bridgeline-Conversation': conversation.id,
      },
    });
  });

  it('names no conversation when the customer has none open', () => {
    const card = aCard();
    const decision = decideRoute(facts({ card }), aPolicy());
    expect(decision).toEqual({
      action: 'ivr',
      uri: 'sip:ivr@jambonz.example.com',
      headers: { 'X-Bridgeline-Customer': card.customer.id },
    });
  });

  it('sends unknown and anonymous callers to the IVR with no headers', () => {
    for (const callerNumber of [caller, undefined]) {
      expect(decideRoute(facts({ callerNumber }), aPolicy())).toEqual({
        action: 'ivr',
        uri: 'sip:ivr@jambonz.example.com',
        headers: {},
      });
    }
  });

  it('never routes an agent without a card, even if one was looked up', () => {
    expect(decideRoute(facts({ agent: reach() }), aPolicy()).action).toBe(
      'ivr',
    );
  });

  describe('when the request is unwelcome', () => {
    it('rejects a blocked number with the configured status', () => {
      const policy = aPolicy({ rejectAction: 603 });
      expect(
        decideRoute(facts({ callerNumber: '+14155550199' }), policy),
      ).toEqual({ action: 'reject', status: 603, reason: 'blocked' });
    });

    it('refuses a scanner before looking at the card', () => {
      const card = aCard({ preferredAgent: 'agent-7' });
      const decision = decideRoute(
        facts({ card, agent: reach(), userAgent: 'friendly-scanner' }),
        aPolicy(),
      );
      expect(decision).toEqual({
        action: 'reject',
        status: 403,
        reason: 'scanner',
      });
    });

    it('drops without an answer when the action is drop', () => {
      const decision = decideRoute(
        facts({ userAgent: 'sipvicious 0.3' }),
        aPolicy({ rejectAction: 'drop' }),
      );
      expect(decision).toEqual({ action: 'drop', reason: 'scanner' });
    });
  });
});

describe('scanner detection', () => {
  const isScanner = scannerMatcher(['EvilDialer']);

  it.each([
    'friendly-scanner',
    'SIPVicious/0.3.4',
    'sipcli/v1.8',
    'sip-cli 1.0',
    'sundayddr',
    'VaxSIPUserAgent/3.1',
    'iWar',
    'PPlSIP',
    'evildialer 2',
  ])('knows %s', (agent) => {
    expect(isScanner(agent)).toBe(true);
  });

  it('lets real phones and a missing User-Agent through', () => {
    expect(isScanner('Zoiper rv2.10.20.1')).toBe(false);
    expect(isScanner('Linphone/5.2')).toBe(false);
    expect(isScanner(undefined)).toBe(false);
  });
});

describe('a redirect Contact', () => {
  it('carries the context as URI headers (RFC 3261 19.1.1)', () => {
    expect(
      redirectContact('sip:ivr@jambonz.example.com;transport=tcp', {
        'X-Bridgeline-Customer': 'c42',
        'X-Bridgeline-Conversation': 'v7',
      }),
    ).toBe(
      '<sip:ivr@jambonz.example.com;transport=tcp' +
        '?X-Bridgeline-Customer=c42&X-Bridgeline-Conversation=v7>',
    );
  });

  it('is the bare URI when there is no context', () => {
    expect(redirectContact('sip:ivr@jambonz.example.com', {})).toBe(
      '<sip:ivr@jambonz.example.com>',
    );
  });
});
