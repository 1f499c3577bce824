/**
 * The context card, built inside Redis as the JSON an agent's screen-pop or
 * the IVR reads, and kept in the hash `card:{id}` in three sections that
 * join into it (cardSections): `head`, the customer and identities;
 * `conversations`; `timeline`, the latest events. Beside them: `lengths`,
 * each event's size in `timeline`, newest first; `until`, when its oldest
 * event leaves the retention window; and `m:<kind>:<value>`, each identity
 * as the card's matchedBy shows it. A lookup reads it all with one HMGET.
 *
 * A script that changes the profile, identities or conversations ends by
 * rebuilding the card (buildCard), in the same atomic step. Appending
 * events only adds the new ones to the front of `timeline` and drops the
 * oldest past the count shown (appendToCard): the events already shown are
 * never read back from the stream. A card read after its `until` is stale,
 * and the reader asks for a rebuild (one more round trip, once per card and
 * retention step).
 *
 * Scripts that include this prelude take the same first keys and arguments:
 * KEYS[1..5] = customer, identities, conversations, timeline, card;
 * ARGV[1..5] = conversation key prefix, conversations to show, events to
 * show, retention cutoff (ms), retention age (ms).
 */
export const cardPrelude = `
-- Most values need no escaping; cjson is asked only for those that do
-- (control characters, quotes, backslashes).
local function quote(value)
  if string.find(value, '[%c"\\\\]') then
    return cjson.encode(value)
  end
  return '"' .. value .. '"'
end

-- A flat [field, value, ...] reply as JSON members; fields named in kinds
-- hold JSON already ('json') or a comma-separated list ('list').
local function members(flat, kinds)
  local parts = {}
  for i = 1, #flat, 2 do
    local field, value = flat[i], flat[i + 1]
    local kind = kinds[field]
    local json
    if kind == 'json' then
      json = value
    elseif kind == 'list' then
      local items = {}
      for item in string.gmatch(value, '[^,]+') do
        items[#items + 1] = quote(item)
      end
      json = '[' .. table.concat(items, ',') .. ']'
    else
      json = quote(value)
    end
    parts[#parts + 1] = quote(field) .. ':' .. json
  end
  return parts
end

-- An identity link: the hash field is kind:value, the record is the JSON
-- {verification, source, linkedAt} that store.ts writes.
local function identityJson(field, record)
  local colon = string.find(field, ':', 1, true)
  if not colon then
    return nil
  end
  local claimed = string.find(record, '"verification":"self_claimed"', 1, true)
  local inner = string.sub(record, 2, -2)
  return '{"kind":' .. quote(string.sub(field, 1, colon - 1)) ..
    ',"value":' .. quote(string.sub(field, colon + 1)) ..
    (inner == '' and '' or (',' .. inner)) ..
    ',"verified":' .. tostring(not claimed) .. '}'
end

-- The conversations section, most recently active first, open apart from
-- closed.
local function conversationsSection()
  local open, recent = {}, {}
  local ids = redis.call('ZREVRANGE', KEYS[3], 0, tonumber(ARGV[2]) - 1)
  for _, id in ipairs(ids) do
    local hash = redis.call('HGETALL', ARGV[1] .. id)
    if #hash > 0 then
      local json = '{' .. table.concat(members(hash, { channels = 'list' }), ',') .. '}'
      local closed = string.find(json, '"status":"closed"', 1, true)
      local list = closed and recent or open
      list[#list + 1] = json
    end
  end
  return '"conversations":{"open":[' .. table.concat(open, ',') ..
    '],"recent":[' .. table.concat(recent, ',') .. ']},'
end

-- A timeline entry as the card shows it: its stream id, then the event.
local function eventJson(id, json)
  return '{"id":"' .. id .. '"' ..
    (#json > 2 and (',' .. string.sub(json, 2)) or '}')
end

-- The card expires with its oldest event: when that one leaves the
-- retention window, the card is rebuilt without it. Returns the time (ms),
-- which the caller stores as the card's until.
local function expireWith(oldestId)
  local expires = tonumber(string.match(oldestId, '^%d+')) + tonumber(ARGV[5])
  redis.call('PEXPIREAT', KEYS[5], expires)
  return expires
end

-- Rebuilds and stores the card; returns it, or nil when the customer is gone.
local function buildCard()
  local profile = redis.call('HGETALL', KEYS[1])
  if #profile == 0 then
    redis.call('DEL', KEYS[5])
    return nil
  end
  local customer = members(profile, { consent = 'json' })
  table.insert(customer, 1, '"id":' .. quote(string.match(KEYS[1], '{(.*)}')))
  if redis.call('HEXISTS', KEYS[1], 'consent') == 0 then
    customer[#customer + 1] = '"consent":{}'
  end

  local identities, matchable = {}, {}
  local links = redis.call('HGETALL', KEYS[2])
  for i = 1, #links, 2 do
    local json = identityJson(links[i], links[i + 1])
    if json then
      identities[#identities + 1] = json
      matchable[#matchable + 1] = 'm:' .. links[i]
      matchable[#matchable + 1] = json
    end
  end

  local events, lengths = {}, {}
  local entries = redis.call('XREVRANGE', KEYS[4], '+', ARGV[4], 'COUNT', ARGV[3])
  for _, entry in ipairs(entries) do
    local json = eventJson(entry[1], entry[2][2])
    events[#events + 1] = json
    lengths[#lengths + 1] = #json
  end

  local head = '{"customer":{' .. table.concat(customer, ',') ..
    '},"identities":[' .. table.concat(identities, ',') .. '],'
  local conversations = conversationsSection()
  local timeline = table.concat(events, ',')
  redis.call('DEL', KEYS[5])
  redis.call('HSET', KEYS[5], 'head', head, 'conversations', conversations,
    'timeline', timeline, 'lengths', table.concat(lengths, ','),
    unpack(matchable))
  local oldest = entries[#entries]
  if oldest then
    redis.call('HSET', KEYS[5], 'until', expireWith(oldest[1]))
  end
  return head .. conversations .. '"timeline":[' .. timeline .. ']}'
end

-- After events were appended: added is a list of {stream id, event JSON},
-- oldest first. Puts the newest ones in front of the card's timeline and
-- keeps as many as the card shows; rebuilds the conversations section when
-- the events moved a conversation on. A card that is missing or stale
-- (nowMs past its until) is rebuilt whole instead.
local function appendToCard(added, nowMs, conversationsMoved)
  -- buildCard writes every section at once: with lengths, the rest is there.
  local card = redis.call('HMGET', KEYS[5], 'timeline', 'lengths', 'until')
  local timeline, lengths, expires = card[1], card[2], card[3]
  if not timeline or not lengths
    or (expires and tonumber(expires) <= nowMs) then
    buildCard()
    return
  end
  if #added == 0 then
    -- Only a conversation opened: the timeline stays as it is.
    if conversationsMoved then
      redis.call('HSET', KEYS[5], 'conversations', conversationsSection())
    end
    return
  end

  local shown = tonumber(ARGV[3])
  local items, sizes = {}, {}
  for i = #added, math.max(1, #added - shown + 1), -1 do
    local json = eventJson(added[i][1], added[i][2])
    items[#items + 1] = json
    sizes[#sizes + 1] = #json
  end
  local oldestId = added[math.max(1, #added - shown + 1)][1]

  -- The events kept from before: a prefix of the old timeline.
  local kept, nextStart, lastStart = 0, 1, nil
  for size in string.gmatch(lengths, '%d+') do
    if #items + kept >= shown then
      break
    end
    kept = kept + 1
    lastStart = nextStart
    nextStart = nextStart + tonumber(size) + 1
    sizes[#sizes + 1] = size
  end
  if kept > 0 then
    items[#items + 1] = string.sub(timeline, 1, nextStart - 2)
    oldestId = string.match(timeline, '^{"id":"([^"]+)"', lastStart)
  end

  local expiresAt = expireWith(oldestId)
  if conversationsMoved then
    redis.call('HSET', KEYS[5], 'conversations', conversationsSection(),
      'timeline', table.concat(items, ','), 'lengths', table.concat(sizes, ','),
      'until', expiresAt)
  else
    redis.call('HSET', KEYS[5], 'timeline', table.concat(items, ','),
      'lengths', table.concat(sizes, ','), 'until', expiresAt)
  end
end
`;

/** The card's JSON from its stored sections (see the prelude). */
export function cardSections(
  head: string,
  conversations: string,
  timeline: string,
): string {
  return `${head}${conversations}"timeline":[${timeline}]}`;
}

/** The card without its timeline, from the sections before it. */
export function callerSections(head: string, conversations: string): string {
  // The conversations section ends with the comma the timeline follows.
  return `${head}${conversations.slice(0, -1)}}`;
}
