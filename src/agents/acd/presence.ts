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
 * after, from the state the script left. Two instances changing one
 * agent at once may write it out of order for an instant; the next
 * change of that agent puts it right.
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

export async function writePresence(
  redis: RedisClient,
  agents: Record<string, string>,
): Promise<void> {
  await Promise.all(
    Object.entries(agents).map(([agentId, state]) =>
      redis.hset(
        sipKeys.presence(agentId),
        'state',
        sipPresence(toAgentState(state) ?? 'gone'),
      ),
    ),
  );
}
