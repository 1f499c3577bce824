import type { RedisClient } from '../../redis/connect';
import { sipKeys } from '../../voice/sip/keys';
import { agentStates, type AgentState } from '../types';

/**
 * The SIP edge reads its own presence key, `agent:{<agentId>}` field
 * `state` (src/voice/sip/decide.ts), and takes a missing key for
 * available; so the ACD writes it for every agent it knows.
 *
 * The key carries the agent's hash tag, not `{acd}`, so on a Cluster it
 * cannot be written inside the routing script; it is written right
 * after, with the script's sequence number in field `acdSeq`. A write
 * older than the one already there is dropped, so two instances
 * changing one agent at once cannot leave the older state behind.
 */
export type SipPresence = 'available' | 'busy' | 'away';

export function sipPresence(state: AgentState | 'gone'): SipPresence {
  switch (state) {
    case 'available':
      return 'available';
    case 'on-contact':
    case 'wrap-up':
      return 'busy';
    default:
      return 'away';
  }
}

export function toAgentState(value: string): AgentState | undefined {
  return agentStates.find((state) => state === value);
}

const writeIfNewer = `
local seen = tonumber(redis.call('HGET', KEYS[1], 'acdSeq') or '') or 0
if tonumber(ARGV[2]) <= seen then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'acdSeq', ARGV[2])
return 1
`;

export async function writePresence(
  redis: RedisClient,
  agents: Record<string, string>,
  seq: number,
): Promise<void> {
  await Promise.all(
    Object.entries(agents).map(([agentId, state]) =>
      toAgentState(state) === undefined
        ? forget(redis, agentId)
        : redis.eval(
            writeIfNewer,
            1,
            sipKeys.presence(agentId),
            sipPresence(toAgentState(state) ?? 'gone'),
            seq,
          ),
    ),
  );
}

/**
 * An agent the ACD no longer knows (account deleted or disabled) leaves
 * no presence behind, and no registration: the edge reads a missing
 * presence as available, so without its registration too a softphone
 * still registered would keep taking the agent's callers. Nor can it
 * register again: a disabled account's SIP credentials are refused
 * (src/voice/sip/credentials.ts).
 */
async function forget(redis: RedisClient, agentId: string): Promise<void> {
  await Promise.all([
    redis.del(sipKeys.presence(agentId)),
    redis.del(sipKeys.registration(agentId)),
  ]);
}
