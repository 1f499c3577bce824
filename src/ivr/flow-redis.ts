import type { Result } from 'ioredis';
import type { RedisClient } from '../redis/connect';

/**
 * Flow store keys and the scripts that change several of them at once.
 *
 * One flow's keys share the hash tag `{flow:<id>}`, so in a Redis Cluster
 * they live in one slot and a publish or a rollback is one atomic script.
 * The tag holds a colon on purpose: customer ids never do, so erasing a
 * customer (which deletes every key matching `*{<customer id>}*`) can never
 * reach a flow, even one whose id looks like a customer's.
 */
export const flowKeys = {
  /** Set of every flow id with a draft or a version. */
  index: 'flow:index',
  /** Hash: E.164 number -> `{"flowId","alias"}`. */
  numbers: 'flow:numbers',
  /**
   * A token replaced whenever what a number leads to may have changed
   * (publish, rollback, number map); instances compare it to their cache.
   */
  generation: 'flow:generation',
  /** Hash: source, scenarios, checksum, valid, problems, savedAt, savedBy. */
  draft: (flowId: string) => `flow:{flow:${flowId}}:draft`,
  /** Hash: version number -> the version's record as JSON. */
  versions: (flowId: string) => `flow:{flow:${flowId}}:versions`,
  /** Hash: alias name -> version number. */
  aliases: (flowId: string) => `flow:{flow:${flowId}}:aliases`,
  /** List: the versions an alias pointed at, oldest first; rollback pops. */
  stack: (flowId: string, alias: string) =>
    `flow:{flow:${flowId}}:stack:${alias}`,
  /** List: every alias move as JSON, newest first. */
  moves: (flowId: string) => `flow:{flow:${flowId}}:moves`,
};

/** How many alias moves and stack entries a flow keeps. */
export const historyLimit = 200;

// KEYS: draft. ARGV: mode ('any', 'absent' or 'equals'), expected checksum,
// then field/value pairs. Replaces the draft unless someone else changed it.
const saveDraft = `
local current = redis.call('HGET', KEYS[1], 'checksum')
if (ARGV[1] == 'absent' and current) or
   (ARGV[1] == 'equals' and current ~= ARGV[2]) then
  return redis.error_reply('CONFLICT')
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
return 1
`;

// KEYS: draft, versions, aliases, stack, moves. ARGV: the draft checksum the
// caller validated, base version ('' for any), alias, version record JSON,
// author, time, history limit. Returns the new version number.
const publish = `
if redis.call('HGET', KEYS[1], 'checksum') ~= ARGV[1] then
  return redis.error_reply('CONFLICT')
end
local latest = redis.call('HLEN', KEYS[2])
if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= latest then
  return redis.error_reply('CONFLICT')
end
local version = latest + 1
local previous = redis.call('HGET', KEYS[3], ARGV[3])
redis.call('HSET', KEYS[2], version, ARGV[4])
redis.call('HSET', KEYS[3], ARGV[3], version)
redis.call('RPUSH', KEYS[4], version)
redis.call('LTRIM', KEYS[4], -tonumber(ARGV[7]), -1)
redis.call('LPUSH', KEYS[5], cjson.encode({
  alias = ARGV[3], from = previous and tonumber(previous) or cjson.null,
  to = version, by = ARGV[5], at = ARGV[6], action = 'publish'}))
redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[7]) - 1)
return version
`;

// KEYS: aliases, stack, moves, versions. ARGV: alias, target version ('' for
// the one before the current), author, time, history limit. Returns {from
// (nil when the alias was unset), to}. Without a target the stack is popped
// back past the current version, so rollback after rollback keeps walking
// back in time; a named target is pushed, like a publish.
const rollback = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
local target = ARGV[2]
if target == '' then
  if not current then
    return redis.error_reply('NO_EARLIER')
  end
  local stack = redis.call('LRANGE', KEYS[2], 0, -1)
  local i = #stack
  while i > 0 and stack[i] == current do
    i = i - 1
  end
  if i == 0 then
    return redis.error_reply('NO_EARLIER')
  end
  target = stack[i]
  redis.call('LTRIM', KEYS[2], 0, i - 1)
else
  if redis.call('HEXISTS', KEYS[4], target) == 0 then
    return redis.error_reply('NO_VERSION')
  end
  redis.call('RPUSH', KEYS[2], target)
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[5]), -1)
end
redis.call('HSET', KEYS[1], ARGV[1], target)
local from = current and tonumber(current) or cjson.null
redis.call('LPUSH', KEYS[3], cjson.encode({
  alias = ARGV[1], from = from, to = tonumber(target),
  by = ARGV[3], at = ARGV[4], action = 'rollback'}))
redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[5]) - 1)
return {current and tonumber(current) or false, tonumber(target)}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    blFlowSaveDraft(draft: string, ...args: string[]): Result<number, Context>;
    blFlowPublish(
      draft: string,
      versions: string,
      aliases: string,
      stack: string,
      moves: string,
      ...args: (string | number)[]
    ): Result<number, Context>;
    blFlowRollback(
      aliases: string,
      stack: string,
      moves: string,
      versions: string,
      ...args: (string | number)[]
    ): Result<[number | null, number], Context>;
  }
}

export function defineFlowScripts(client: RedisClient): void {
  client.defineCommand('blFlowSaveDraft', { numberOfKeys: 1, lua: saveDraft });
  client.defineCommand('blFlowPublish', { numberOfKeys: 5, lua: publish });
  client.defineCommand('blFlowRollback', { numberOfKeys: 4, lua: rollback });
}

/** The error a script raised with redis.error_reply, or undefined. */
export function scriptError(err: unknown): string | undefined {
  return err instanceof Error
    ? /^(?:ERR )?(CONFLICT|NO_EARLIER|NO_VERSION)\b/.exec(err.message)?.[1]
    : undefined;
}
