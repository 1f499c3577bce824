/**
 * The ACD's Redis keys. All of them carry the hash tag `{acd}`, so every
 * routing decision reads and writes them in one Lua script on one node,
 * with no other instance able to slip in between.
 *
 * TODO(perf): one hash tag puts the whole ACD on one Cluster node; a very
 * large deployment would shard by queue (a tag per queue), with agents
 * who serve several queues kept in step across shards.
 *
 * - `{acd}:agent:<id>` hash: state, reason, since, skills (JSON), queues
 *   (JSON), maxChats, chats, voice (0/1), idleSince, offer.
 * - `{acd}:contacts:<agentId>` set: the contacts the agent has connected.
 * - `{acd}:assigned:<agentId>` set: customer ids the agent was offered or
 *   given; per-object access checks read it.
 * - `{acd}:queue:<id>` hash: id, name, skills (JSON), serviceLevelSeconds,
 *   offerTimeoutSeconds, priority; `{acd}:queues` set of queue ids.
 * - `{acd}:members:<queue>` set: agents who serve the queue.
 * - `{acd}:idle:<queue>` zset: available agents with room, by idleSince.
 * - `{acd}:waiting:<queue>` zset: contact ids, by (10 - priority) * 1e13 +
 *   enqueuedAt, so the lowest score is the highest priority, then oldest.
 * - `{acd}:since:<queue>` zset: the same contacts by queuedAt (when they
 *   joined this queue), for the longest wait.
 * - `{acd}:contact:<id>` hash: the Contact's fields plus state, agentId,
 *   offerId, queuedAt, offeredAt, answeredAt; kept a day once finished.
 * - `{acd}:declined:<contactId>` set: agents who declined or missed it.
 * - `{acd}:offer:<id>` hash + `{acd}:offers` zset by expiresAt.
 * - `{acd}:wrapups` zset: agents in a timed wrap-up, by its end.
 * - `{acd}:aht` hash: queue -> moving average handle time in ms.
 * - `{acd}:presence-seq`: counts script runs that changed an agent; the
 *   SIP presence key keeps the number it was written at (presence.ts).
 * - `{acd}:stats:<queue>:<yyyy-mm-dd>` hash: offered, answered,
 *   answeredInSl, abandoned, totalAnswerMs; kept statsDays days.
 *
 * The Lua scripts build keys from the same prefix (scripts.ts); keep the
 * two in step.
 */
export const acdPrefix = '{acd}:';

export const acdKeys = {
  agent: (id: string) => `${acdPrefix}agent:${id}`,
  contacts: (agentId: string) => `${acdPrefix}contacts:${agentId}`,
  assigned: (agentId: string) => `${acdPrefix}assigned:${agentId}`,
  queue: (id: string) => `${acdPrefix}queue:${id}`,
  queues: `${acdPrefix}queues`,
  members: (queue: string) => `${acdPrefix}members:${queue}`,
  idle: (queue: string) => `${acdPrefix}idle:${queue}`,
  waiting: (queue: string) => `${acdPrefix}waiting:${queue}`,
  contact: (id: string) => `${acdPrefix}contact:${id}`,
  offer: (id: string) => `${acdPrefix}offer:${id}`,
  offers: `${acdPrefix}offers`,
  wrapups: `${acdPrefix}wrapups`,
  stats: (queue: string, day: string) => `${acdPrefix}stats:${queue}:${day}`,
};

/** Queue ids, contact ids and agent ids: no braces, colons or spaces. */
export const queueIdPattern = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const contactIdPattern = /^[A-Za-z0-9._@-]{1,128}$/;

/** Finished contacts stay this long, so a retried webhook stays a no-op. */
export const finishedContactTtlSeconds = 24 * 60 * 60;
export const statsDays = 8;
export const defaultHandleTimeMs = 240_000;
