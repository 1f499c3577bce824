import { randomBytes } from 'node:crypto';
import type { Logger } from '../../log';
import type { RedisClient } from '../../redis/connect';
import type { SipRequest, SipResponse } from '../../types/drachtio-srf';
import { aorUser, parseContacts, type ContactBinding } from './contact';
import { findSipCredentials } from './credentials';
import { challenges, parseAuthorization, responseMatches } from './digest';
import type { SipMetrics } from './metrics';
import type { NonceStore } from './nonces';
import type { WindowLimiter } from './rate-limit';
import type { RegistrationStore } from './registrations';
import type { SipSettings } from './settings';

/**
 * REGISTER from agents' softphones (RFC 3261 §10.3), behind digest auth
 * (§22.4). An unknown user and a wrong password get the same 401 with a
 * fresh challenge, and the same work is done for both (a throwaway HA1 is
 * checked for an unknown user), so the answer tells an attacker nothing.
 */

export interface RegisterDeps {
  redis: RedisClient;
  nonces: NonceStore;
  registrations: RegistrationStore;
  failures: WindowLimiter;
  settings: Pick<SipSettings, 'realm' | 'registerExpires' | 'authFailures'>;
  metrics: SipMetrics;
  logger: Logger;
}

// Checked when the user is unknown, so both paths hash the same amount.
const decoyHa1 = randomBytes(32).toString('hex');
const DEFAULT_EXPIRES = 3600;

export async function handleRegister(
  deps: RegisterDeps,
  req: SipRequest,
  res: SipResponse,
): Promise<void> {
  const source = req.source_address;
  const count = (outcome: string) => {
    deps.metrics.requests.labels('REGISTER', outcome).inc();
  };
  if (deps.failures.isBlocked(source)) {
    refuseBlocked(deps, res);
    count('blocked');
    return;
  }

  const credentials = parseAuthorization(req.get('authorization'));
  if (!credentials || credentials.realm !== deps.settings.realm) {
    await challenge(deps, res, false);
    count('challenged');
    return;
  }

  const known = await findSipCredentials(
    deps.redis,
    credentials.username,
    deps.settings.realm,
  );
  const ha1 = known?.ha1[credentials.algorithm] ?? decoyHa1;
  const right = responseMatches(credentials, ha1, req.method) && !!known;
  const nonce = right
    ? await deps.nonces.use(credentials.nonce, credentials.nc)
    : 'wrong';

  if (nonce === 'stale') {
    // RFC 7616 §3.3: the password was right, only the nonce had expired.
    await challenge(deps, res, true);
    count('stale');
    return;
  }
  if (nonce !== 'fresh' || !known) {
    // A wrong password, an unknown user and a replayed nonce look alike.
    deps.logger.info({ source, nonce }, 'sip register refused');
    count(nonce === 'replayed' ? 'replayed' : 'failed');
    if (!deps.failures.hit(source)) {
      deps.logger.warn({ source }, 'sip source blocked after failed auth');
      refuseBlocked(deps, res);
      return;
    }
    await challenge(deps, res, false);
    return;
  }

  // §10.3 step 6: the authenticated user may change only their own AOR.
  if (aorUser(req.get('to')) !== credentials.username) {
    res.send(403);
    count('forbidden');
    return;
  }
  await bind(deps, req, res, known.agentId, credentials.username);
  count('ok');
}

async function bind(
  deps: RegisterDeps,
  req: SipRequest,
  res: SipResponse,
  agentId: string,
  user: string,
): Promise<void> {
  const header = req.get('contact');
  if (header === undefined) {
    // §10.3 step 8: no Contact is a query for the current bindings.
    const current = await deps.registrations.find(agentId);
    res.send(200, current ? { headers: { Contact: current.contact } } : {});
    return;
  }
  const contacts = parseContacts(header);
  const expiresHeader = parseExpires(req.get('expires'));
  if (contacts === undefined || expiresHeader === null) {
    res.send(400);
    return;
  }
  if (contacts === '*') {
    // §10.2.2: '*' is only allowed with Expires: 0, to remove all.
    if (expiresHeader !== 0) {
      res.send(400);
      return;
    }
    await deps.registrations.remove(agentId, user);
    res.send(200);
    return;
  }

  const binding = contacts[0] as ContactBinding;
  const asked = binding.expires ?? expiresHeader ?? DEFAULT_EXPIRES;
  if (asked === 0) {
    await deps.registrations.remove(agentId, user);
    res.send(200);
    return;
  }
  const { min, max } = deps.settings.registerExpires;
  if (asked < min) {
    // §10.3 step 7: too brief a registration is refused with the minimum.
    res.send(423, { headers: { 'Min-Expires': String(min) } });
    return;
  }
  const expires = Math.min(asked, max);
  await deps.registrations.save(
    agentId,
    {
      user,
      contact: `<${binding.uri}>`,
      source: `${req.protocol}:${req.source_address}:${req.source_port}`,
      userAgent: (req.get('user-agent') ?? '').slice(0, 200),
    },
    expires,
  );
  deps.logger.info({ agentId }, 'sip softphone registered');
  res.send(200, {
    headers: { Contact: `<${binding.uri}>;expires=${expires}` },
  });
}

/** The Expires header: undefined when absent, null when malformed. */
function parseExpires(value: string | undefined): number | undefined | null {
  if (value === undefined) {
    return undefined;
  }
  return /^\s*\d{1,10}\s*$/.test(value) ? Number(value) : null;
}

async function challenge(
  deps: RegisterDeps,
  res: SipResponse,
  stale: boolean,
): Promise<void> {
  const nonce = await deps.nonces.issue();
  // drachtio-srf joins a repeated header with commas, which RFC 3261 §7.3.1
  // forbids for WWW-Authenticate; the line break makes it two headers.
  const value = challenges(deps.settings.realm, nonce, stale).join(
    '\r\nWWW-Authenticate: ',
  );
  res.send(401, { headers: { 'WWW-Authenticate': value } });
}

function refuseBlocked(deps: RegisterDeps, res: SipResponse): void {
  if (deps.settings.authFailures.action === 403) {
    res.send(403);
  }
}
