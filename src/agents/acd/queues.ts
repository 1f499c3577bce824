import { z } from 'zod';
import { parseInput } from '../../context/validate';
import { BridgelineError } from '../../errors';
import type { RedisClient } from '../../redis/connect';
import { acdKeys, queueIdPattern } from './keys';
import { jsonList } from './results';

/** A skill an agent has and a contact or queue needs: `billing`, `fr`. */
export const skillName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,31}$/, 'a skill, e.g. billing or fr');

export const queueInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  skills: z.array(skillName).max(20).default([]),
  /** Answered within this many seconds counts towards the service level. */
  serviceLevelSeconds: z.number().int().min(1).max(3600).default(20),
  /** An offer not answered in this time moves to the next agent. */
  offerTimeoutSeconds: z.number().int().min(1).max(300).default(15),
  /** The priority of contacts that come without one, 1 to 9. */
  priority: z.number().int().min(1).max(9).default(5),
});
export type QueueInput = z.input<typeof queueInput>;

export interface QueueDefinition {
  id: string;
  name: string;
  skills: string[];
  serviceLevelSeconds: number;
  offerTimeoutSeconds: number;
  priority: number;
}

const storedQueue = z.object({
  id: z.string(),
  name: z.string(),
  skills: z.string().transform(jsonList),
  serviceLevelSeconds: z.coerce.number(),
  offerTimeoutSeconds: z.coerce.number(),
  priority: z.coerce.number(),
});

export function checkQueueId(id: string): string {
  if (!queueIdPattern.test(id)) {
    throw new BridgelineError('BL_ERR_INVALID_INPUT', {
      message: 'id: a queue id, lower case letters, digits, - and _',
      field: 'id',
    });
  }
  return id;
}

/** Queue definitions: `{acd}:queue:<id>` hashes listed in `{acd}:queues`. */
export class QueueStore {
  constructor(private readonly redis: RedisClient) {}

  async define(id: string, raw: unknown): Promise<QueueDefinition> {
    checkQueueId(id);
    const input = parseInput(queueInput, raw);
    const queue: QueueDefinition = { id, ...input };
    // Both keys share {acd}: one MULTI, so a listed queue always has a hash.
    await this.redis
      .multi()
      .hset(acdKeys.queue(id), {
        ...queue,
        skills: JSON.stringify(queue.skills),
      })
      .sadd(acdKeys.queues, id)
      .exec();
    return queue;
  }

  async get(id: string): Promise<QueueDefinition> {
    const raw = await this.redis.hgetall(acdKeys.queue(id));
    const parsed = storedQueue.safeParse(raw);
    if (!parsed.success) {
      throw new BridgelineError('BL_ERR_QUEUE_NOT_FOUND');
    }
    return parsed.data;
  }

  async list(): Promise<QueueDefinition[]> {
    const ids = (await this.redis.smembers(acdKeys.queues)).sort();
    const found = await Promise.all(
      ids.map((id) => this.get(id).catch(() => undefined)),
    );
    return found.filter((queue) => queue !== undefined);
  }

  /**
   * Contacts still waiting in a removed queue keep their place and can
   * still be answered by its agents; nothing new can join it.
   */
  async remove(id: string): Promise<void> {
    const [removed] = await Promise.all([
      this.redis.srem(acdKeys.queues, id),
      this.redis.del(acdKeys.queue(id)),
    ]);
    if (removed === 0) {
      throw new BridgelineError('BL_ERR_QUEUE_NOT_FOUND');
    }
  }
}
