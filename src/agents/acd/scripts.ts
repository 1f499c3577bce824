import { createHash } from 'node:crypto';
import type { RedisClient } from '../../redis/connect';
import {
  endWrapUp,
  queueFigures,
  removeAgent,
  setState,
  upsertAgent,
} from './lua-agents';
import {
  abandon,
  accept,
  decline,
  enqueue,
  expire,
  finish,
  position,
} from './lua-contacts';
import { prelude } from './lua-prelude';

/**
 * The ACD's scripts. Each is one atomic step of routing, so two
 * instances sharing a Redis never offer one contact twice or one agent
 * two contacts; each returns the JSON of lua-prelude.ts's `R`.
 */

export class AcdScript {
  private readonly source: string;
  private readonly sha: string;

  constructor(body: string) {
    this.source = `${prelude}\n${body}`;
    this.sha = createHash('sha1').update(this.source).digest('hex');
  }

  // EVALSHA keeps the script off the wire; a server that has not seen it
  // yet gets it whole once.
  async run(redis: RedisClient, args: (string | number)[]): Promise<string> {
    const key = '{acd}:queues';
    let reply: unknown;
    try {
      reply = await redis.evalsha(this.sha, 1, key, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) {
        throw err;
      }
      reply = await redis.eval(this.source, 1, key, ...args);
    }
    if (typeof reply !== 'string') {
      throw new Error('ACD script returned no JSON');
    }
    return reply;
  }
}

export const scripts = {
  enqueue: new AcdScript(enqueue),
  accept: new AcdScript(accept),
  decline: new AcdScript(decline),
  expire: new AcdScript(expire),
  endWrapUp: new AcdScript(endWrapUp),
  setState: new AcdScript(setState),
  finish: new AcdScript(finish),
  abandon: new AcdScript(abandon),
  upsertAgent: new AcdScript(upsertAgent),
  removeAgent: new AcdScript(removeAgent),
  position: new AcdScript(position),
  queueFigures: new AcdScript(queueFigures),
};
