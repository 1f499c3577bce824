import type { CallerCard } from '../../context/card';
import type { ContextStore } from '../../context/store';
import type { Logger } from '../../log';
import type { SipRequest, SipResponse, Srf } from '../../types/drachtio-srf';
import { withinBudget } from './budget';
import { identifyCaller } from './caller-id';
import {
  candidateAgent,
  decideRoute,
  redirectContact,
  screen,
  type AgentReach,
  type RoutingDecision,
  type RoutingPolicy,
} from './decide';
import type { SipMetrics } from './metrics';
import type { SetupGate } from './rate-limit';
import type { RegistrationStore } from './registrations';
import type { CheckedHeaders } from './wellformed';

/**
 * INVITE: gather the facts within the time budget, decide, carry the
 * decision out. Everything worth arguing about is in decide.ts.
 */

export interface InviteDeps {
  store: ContextStore;
  registrations: RegistrationStore;
  policy: RoutingPolicy;
  routingMode: 'proxy' | 'redirect';
  lookupBudgetMs: number;
  gate: SetupGate;
  metrics: SipMetrics;
  logger: Logger;
}

export async function handleInvite(
  deps: InviteDeps,
  srf: Srf,
  req: SipRequest,
  res: SipResponse,
  headers: CheckedHeaders,
): Promise<void> {
  if (!deps.gate.enter()) {
    // RFC 3261 §21.5.4: 503 with Retry-After, so the trunk tries elsewhere.
    res.send(503, { headers: { 'Retry-After': '5' } });
    deps.metrics.requests.labels('INVITE', 'overloaded').inc();
    return;
  }
  deps.metrics.callsInSetup.set(deps.gate.count);
  const call = { cancelled: false };
  req.on('cancel', () => {
    call.cancelled = true;
  });
  try {
    const started = performance.now();
    const decision = await decide(deps, headers);
    deps.metrics.decision
      .labels(decision.action)
      .observe((performance.now() - started) / 1000);
    deps.metrics.requests.labels('INVITE', decision.action).inc();
    if (call.cancelled) {
      // drachtio-server has answered the CANCEL and ended the INVITE.
      return;
    }
    deps.logger.debug(
      { action: decision.action, callId: headers.get('call-id') },
      'sip call routed',
    );
    await carryOut(deps, srf, req, res, decision);
  } finally {
    deps.gate.leave();
    deps.metrics.callsInSetup.set(deps.gate.count);
  }
}

async function decide(
  deps: InviteDeps,
  headers: CheckedHeaders,
): Promise<RoutingDecision> {
  const caller = identifyCaller({
    pAssertedIdentity: headers.get('p-asserted-identity'),
    from: headers.get('from'),
    privacy: headers.get('privacy'),
  });
  const callerNumber =
    caller.kind === 'number' ? normalise(deps.store, caller.number) : undefined;
  const userAgent = headers.get('user-agent');

  // Blocked numbers and scanners cost no Redis round trip.
  const refusal = screen({ callerNumber, userAgent }, deps.policy);
  if (refusal) {
    return refusal;
  }

  const deadline = performance.now() + deps.lookupBudgetMs;
  const remaining = () => deadline - performance.now();
  let card: CallerCard | undefined;
  let agent: AgentReach | undefined;
  if (callerNumber !== undefined) {
    const found = await withinBudget(
      deps.store.callerCardByIdentity({ kind: 'phone', value: callerNumber }),
      remaining(),
    );
    card = found.ok ? found.value : undefined;
    if (!found.ok) {
      deps.metrics.lookupTimeouts.inc();
      deps.logger.warn({ why: found.why }, 'context lookup given up');
    }
  }
  const agentId = card === undefined ? undefined : candidateAgent(card);
  if (agentId !== undefined) {
    const reach = await withinBudget(
      deps.registrations.reach(agentId),
      remaining(),
    );
    agent = reach.ok ? reach.value : undefined;
    if (!reach.ok) {
      deps.metrics.lookupTimeouts.inc();
      deps.logger.warn({ why: reach.why }, 'agent lookup given up');
    }
  }
  return decideRoute({ callerNumber, userAgent, card, agent }, deps.policy);
}

function normalise(store: ContextStore, number: string): string | undefined {
  try {
    return store.normalizeIdentity('phone', number).value;
  } catch {
    return undefined;
  }
}

async function carryOut(
  deps: InviteDeps,
  srf: Srf,
  req: SipRequest,
  res: SipResponse,
  decision: RoutingDecision,
): Promise<void> {
  switch (decision.action) {
    case 'drop':
      return;
    case 'reject':
      res.send(decision.status);
      return;
    case 'agent':
    case 'ivr': {
      const target =
        decision.action === 'agent' ? bareUri(decision.contact) : decision.uri;
      if (deps.routingMode === 'redirect') {
        res.send(302, {
          headers: { Contact: redirectContact(target, decision.headers) },
        });
        return;
      }
      const result = await srf.proxyRequest(req, target, {
        recordRoute: true,
        headers: decision.headers,
      });
      deps.logger.debug(
        { finalStatus: result.finalStatus, action: decision.action },
        'sip proxy done',
      );
    }
  }
}

/** A stored Contact may be a name-addr; the proxy wants the URI alone. */
function bareUri(contact: string): string {
  return /<([^>]*)>/.exec(contact)?.[1] ?? contact;
}
