import type { RedisClient } from '../../redis/connect';
import { BridgelineError } from '../../errors';
import { computeHa1, type DigestAlgorithm } from './digest';
import { agentIdPattern, sipKeys, sipUserPattern } from './keys';

/**
 * Agents' softphone credentials. Only HA1 is kept, one per algorithm we
 * offer, for the realm it was computed in: a leaked Redis then gives no
 * password, and changing SIP_REALM makes old credentials unusable rather
 * than silently wrong. Credentials of a disabled account are kept (HA1
 * cannot be made again without the password) but refused, as if unknown,
 * until the account is enabled again.
 */

export interface SipCredentials {
  agentId: string;
  realm: string;
  ha1: Record<DigestAlgorithm, string>;
}

export interface NewSipCredentials {
  user: string;
  agentId: string;
  realm: string;
  password: string;
}

/** Sets (or replaces) a softphone user's credentials from a password. */
export async function setSipCredentials(
  redis: RedisClient,
  input: NewSipCredentials,
): Promise<void> {
  if (!sipUserPattern.test(input.user)) {
    throw new BridgelineError('BL_ERR_INVALID_INPUT', { field: 'user' });
  }
  if (!agentIdPattern.test(input.agentId)) {
    throw new BridgelineError('BL_ERR_INVALID_INPUT', { field: 'agentId' });
  }
  if (input.password.length < 8) {
    throw new BridgelineError('BL_ERR_INVALID_INPUT', {
      field: 'password',
      message: 'A SIP password needs at least 8 characters.',
    });
  }
  const { user, realm, password } = input;
  await redis.hset(sipKeys.user(user), {
    agentId: input.agentId,
    realm,
    ha1_md5: computeHa1('MD5', user, realm, password),
    ha1_sha256: computeHa1('SHA-256', user, realm, password),
  });
}

export async function removeSipCredentials(
  redis: RedisClient,
  user: string,
): Promise<void> {
  await redis.del(sipKeys.user(user));
}

// KEYS[1]: the user's hash; ARGV: the agent id, 'true' or 'false'.
// Touches only credentials that are that agent's.
const markDisabled = `
if redis.call('HGET', KEYS[1], 'agentId') ~= ARGV[1] then
  return 0
end
if ARGV[2] == 'true' then
  redis.call('HSET', KEYS[1], 'disabled', 'true')
else
  redis.call('HDEL', KEYS[1], 'disabled')
end
return 1
`;

/** Refuses (or accepts again) the agent's credentials for this user. */
export async function setSipCredentialsDisabled(
  redis: RedisClient,
  user: string,
  agentId: string,
  disabled: boolean,
): Promise<void> {
  await redis.eval(
    markDisabled,
    1,
    sipKeys.user(user),
    agentId,
    String(disabled),
  );
}

/** The user's usable credentials in this realm, or undefined. */
export async function findSipCredentials(
  redis: RedisClient,
  user: string,
  realm: string,
): Promise<SipCredentials | undefined> {
  if (!sipUserPattern.test(user)) {
    return undefined;
  }
  const hash = await redis.hgetall(sipKeys.user(user));
  const { agentId, ha1_md5: md5, ha1_sha256: sha256 } = hash;
  if (
    hash.realm !== realm ||
    hash.disabled === 'true' ||
    !agentId ||
    !md5 ||
    !sha256
  ) {
    return undefined;
  }
  return { agentId, realm, ha1: { MD5: md5, 'SHA-256': sha256 } };
}
