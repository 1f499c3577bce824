import type { Result } from 'ioredis';
import type { RedisClient } from '../redis/connect';

/**
 * Server-side scripts for the operations that must be atomic or that sit on
 * a call's hot path. Each touches only keys in one customer's slot; the
 * conversation hashes the card script reads are named from the declared
 * conversation index, and share its hash tag, so they are local to the node
 * the script runs on in a Cluster as well.
 */

// KEYS: customer, timeline, conversations, conversation (or any key when
// ARGV[5] is empty). ARGV: event JSON, MINID cutoff, now ms, channel (empty
// for internal notes), conversation id (or empty), now ISO.
const appendEvent = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('NO_CUSTOMER')
end
local conversation = ARGV[5]
if conversation ~= '' and redis.call('EXISTS', KEYS[4]) == 0 then
  return redis.error_reply('NO_CONVERSATION')
end
local id = redis.call('XADD', KEYS[2], 'MINID', ARGV[2], '*', 'e', ARGV[1])
if conversation ~= '' then
  local channel = ARGV[4]
  redis.call('HSET', KEYS[4], 'updatedAt', ARGV[6])
  if channel ~= '' then
    local seen = redis.call('HGET', KEYS[4], 'channels') or ''
    if not string.find(',' .. seen .. ',', ',' .. channel .. ',', 1, true) then
      seen = (seen == '') and channel or (seen .. ',' .. channel)
    end
    redis.call('HSET', KEYS[4], 'currentChannel', channel, 'channels', seen)
  end
  redis.call('ZADD', KEYS[3], ARGV[3], conversation)
end
return id
`;

// KEYS: customer, identities, conversations, timeline. ARGV: conversation
// key prefix, conversations to return, events to return, MINID cutoff.
// Returns nil for an unknown customer.
const contextCard = `
local profile = redis.call('HGETALL', KEYS[1])
if #profile == 0 then
  return false
end
local identities = redis.call('HGETALL', KEYS[2])
local ids = redis.call('ZREVRANGE', KEYS[3], 0, tonumber(ARGV[2]) - 1)
local conversations = {}
for i, id in ipairs(ids) do
  conversations[i] = redis.call('HGETALL', ARGV[1] .. id)
end
local events = redis.call('XREVRANGE', KEYS[4], '+', ARGV[4], 'COUNT', ARGV[3])
return {profile, identities, conversations, events}
`;

// KEYS: customer, conversations, conversation. ARGV: 'new' or 'existing',
// conversation id, now ms, then field/value pairs. 'existing' refuses to
// create a conversation; neither writes for a customer that is gone.
const writeConversation = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('NO_CUSTOMER')
end
if ARGV[1] == 'existing' and redis.call('EXISTS', KEYS[3]) == 0 then
  return redis.error_reply('NO_CONVERSATION')
end
redis.call('HSET', KEYS[3], unpack(ARGV, 4))
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return 1
`;

// KEYS: identity pointer. ARGV: customer id. Deletes the pointer only while
// it still names this customer, so an erasure never releases someone else's.
const releaseIdentity = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** The raw card reply: profile, identities, conversations, events. */
export type CardReply =
  [string[], string[], string[][], [string, string[]][]] | null;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    blAppendEvent(
      customer: string,
      timeline: string,
      conversations: string,
      conversation: string,
      ...args: (string | number)[]
    ): Result<string, Context>;
    blContextCard(
      customer: string,
      identities: string,
      conversations: string,
      timeline: string,
      ...args: (string | number)[]
    ): Result<CardReply, Context>;
    blWriteConversation(
      customer: string,
      conversations: string,
      conversation: string,
      ...args: (string | number)[]
    ): Result<number, Context>;
    blReleaseIdentity(
      identity: string,
      customerId: string,
    ): Result<number, Context>;
  }
}

export function defineScripts(client: RedisClient): void {
  client.defineCommand('blAppendEvent', { numberOfKeys: 4, lua: appendEvent });
  client.defineCommand('blContextCard', { numberOfKeys: 4, lua: contextCard });
  client.defineCommand('blWriteConversation', {
    numberOfKeys: 3,
    lua: writeConversation,
  });
  client.defineCommand('blReleaseIdentity', {
    numberOfKeys: 1,
    lua: releaseIdentity,
  });
}
