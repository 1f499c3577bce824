import type { Result } from 'ioredis';
import type { RedisClient } from '../redis/connect';
import { cardPrelude } from './card-lua';

/**
 * Server-side scripts for the operations that must be atomic or that sit on
 * a call's hot path. Each touches only keys in one customer's slot: the
 * conversation hashes named from ARGV share the customer's hash tag, so in a
 * Cluster they are local to the node the script runs on.
 *
 * Every script here starts with the card prelude (card-lua.ts), and so takes
 * its first five keys and arguments.
 */

// ARGV[6]: now ms, ARGV[7]: now ISO; ARGV[8..10]: the id, subject and
// channel of a conversation to open first, or three empty strings; then per
// event its JSON, channel (empty for internal notes) and conversation id (or
// empty). Checks every event before writing any: all are appended, or none.
const appendEvents = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('NO_CUSTOMER')
end
local opening = ARGV[8]
local known = { [''] = true, [opening] = true }
for i = 11, #ARGV, 3 do
  local conversation = ARGV[i + 2]
  if not known[conversation] then
    if redis.call('EXISTS', ARGV[1] .. conversation) == 0 then
      return redis.error_reply('NO_CONVERSATION')
    end
    known[conversation] = true
  end
end
if opening ~= '' then
  redis.call('HSET', ARGV[1] .. opening, 'id', opening, 'subject', ARGV[9],
    'status', 'open', 'currentChannel', ARGV[10], 'channels', ARGV[10],
    'createdAt', ARGV[7], 'updatedAt', ARGV[7])
  redis.call('ZADD', KEYS[3], ARGV[6], opening)
end
local ids, added = {}, {}
-- Each conversation the events touch, in order, with the channels they
-- came by: written once however many of the events are in it.
local touched, channelsOf = {}, {}
for i = 11, #ARGV, 3 do
  local id = redis.call('XADD', KEYS[4], 'MINID', ARGV[4], '*', 'e', ARGV[i])
  ids[#ids + 1] = id
  added[#added + 1] = { id, ARGV[i] }
  local channel, conversation = ARGV[i + 1], ARGV[i + 2]
  if conversation ~= '' then
    local channels = channelsOf[conversation]
    if not channels then
      channels = {}
      channelsOf[conversation] = channels
      touched[#touched + 1] = conversation
    end
    if channel ~= '' then
      channels[#channels + 1] = channel
    end
  end
end
for _, conversation in ipairs(touched) do
  local key = ARGV[1] .. conversation
  local channels = channelsOf[conversation]
  if #channels == 0 then
    redis.call('HSET', key, 'updatedAt', ARGV[7])
  else
    local seen = redis.call('HGET', key, 'channels') or ''
    for _, channel in ipairs(channels) do
      if not string.find(',' .. seen .. ',', ',' .. channel .. ',', 1, true) then
        seen = (seen == '') and channel or (seen .. ',' .. channel)
      end
    end
    redis.call('HSET', key, 'updatedAt', ARGV[7],
      'currentChannel', channels[#channels], 'channels', seen)
  end
  redis.call('ZADD', KEYS[3], ARGV[6], conversation)
end
appendToCard(added, tonumber(ARGV[6]), opening ~= '' or #touched > 0)
return ids
`;

// ARGV[6]: the identity field a lookup came in by, or empty. Rebuilds the
// card, for a reader that found it missing or stale; answers [card,
// matchedBy], or nil for a customer who is gone.
const buildCardFor = `
local card = buildCard()
if not card then
  return false
end
local matched = ARGV[6] ~= '' and redis.call('HGET', KEYS[5], 'm:' .. ARGV[6])
return { card, matched or '' }
`;

// Rebuilds the card after writes made outside a script.
const refreshCard = `
buildCard()
return 1
`;

// KEYS[6]: the conversation. ARGV[6]: 'new' or 'existing', ARGV[7]: its id,
// ARGV[8]: now ms, then field/value pairs. 'existing' refuses to create a
// conversation; neither writes for a customer that is gone.
const writeConversation = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('NO_CUSTOMER')
end
if ARGV[6] == 'existing' and redis.call('EXISTS', KEYS[6]) == 0 then
  return redis.error_reply('NO_CONVERSATION')
end
redis.call('HSET', KEYS[6], unpack(ARGV, 9))
redis.call('ZADD', KEYS[3], ARGV[8], ARGV[7])
buildCard()
return 1
`;

// KEYS: identity pointer. ARGV: the card key's prefix and suffix (around
// the customer id), then the card's fields to read. A lookup by identity in
// one round trip: the customer id and the fields (each false when missing),
// or nil for a stranger. The card key is not declared, which a Cluster
// would refuse: the store uses this script only on a standalone or
// Sentinel.
const cardByIdentity = `
local id = redis.call('GET', KEYS[1])
if not id then
  return false
end
local card = redis.call('HMGET', ARGV[1] .. id .. ARGV[2], unpack(ARGV, 3))
local found = { id }
for i = 1, #ARGV - 2 do
  found[i + 1] = card[i] or false
end
return found
`;

// KEYS: identity pointer. ARGV: customer id. Deletes the pointer only while
// it still names this customer, so an erasure never releases someone else's.
const releaseIdentity = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** customer, identities, conversations, timeline, card */
type CardKeys = [string, string, string, string, string];
type Args = (string | number)[];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    blAppendEvents(
      ...keysAndArgs: [...CardKeys, ...Args]
    ): Result<string[], Context>;
    blBuildCard(
      ...keysAndArgs: [...CardKeys, ...Args]
    ): Result<[string, string] | null, Context>;
    blRefreshCard(
      ...keysAndArgs: [...CardKeys, ...Args]
    ): Result<number, Context>;
    blWriteConversation(
      ...keysAndArgs: [...CardKeys, string, ...Args]
    ): Result<number, Context>;
    blReleaseIdentity(
      identity: string,
      customerId: string,
    ): Result<number, Context>;
    blCardByIdentity(
      identity: string,
      cardPrefix: string,
      cardSuffix: string,
      ...fields: string[]
    ): Result<[string, ...(string | null)[]] | null, Context>;
  }
}

export function defineScripts(client: RedisClient): void {
  const withCard = (name: string, numberOfKeys: number, body: string) => {
    client.defineCommand(name, { numberOfKeys, lua: cardPrelude + body });
  };
  withCard('blAppendEvents', 5, appendEvents);
  withCard('blBuildCard', 5, buildCardFor);
  withCard('blRefreshCard', 5, refreshCard);
  withCard('blWriteConversation', 6, writeConversation);
  client.defineCommand('blCardByIdentity', {
    numberOfKeys: 1,
    lua: cardByIdentity,
  });
  client.defineCommand('blReleaseIdentity', {
    numberOfKeys: 1,
    lua: releaseIdentity,
  });
}
