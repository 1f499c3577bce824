/**
 * The context card, built inside Redis as the JSON an agent's screen-pop or
 * the IVR reads, and kept in the hash `card:{id}` so that a lookup is one
 * GET of the identity and one HMGET of ready values: `json`, the card;
 * `until`, when its oldest event leaves the retention window; and
 * `m:<kind>:<value>`, each identity as the card's matchedBy shows it.
 *
 * Every script that changes what a card shows ends by rebuilding it, in the
 * same atomic step. A card read after its `until` is stale, and the reader
 * asks for a rebuild (one more round trip, once per card and retention
 * step).
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

  local events = {}
  local entries = redis.call('XREVRANGE', KEYS[4], '+', ARGV[4], 'COUNT', ARGV[3])
  for _, entry in ipairs(entries) do
    local json = entry[2][2]
    events[#events + 1] = '{"id":' .. quote(entry[1]) ..
      (#json > 2 and (',' .. string.sub(json, 2)) or '}')
  end

  local card = '{"customer":{' .. table.concat(customer, ',') ..
    '},"identities":[' .. table.concat(identities, ',') ..
    '],"conversations":{"open":[' .. table.concat(open, ',') ..
    '],"recent":[' .. table.concat(recent, ',') ..
    ']},"timeline":[' .. table.concat(events, ',') .. ']}'
  -- Beside the card, each identity as a lookup by it shows it (matchedBy),
  -- so a lookup reads all it needs with one HMGET.
  redis.call('DEL', KEYS[5])
  redis.call('HSET', KEYS[5], 'json', card, unpack(matchable))
  local oldest = entries[#entries]
  if oldest then
    local expires = tonumber(string.match(oldest[1], '^%d+')) + tonumber(ARGV[5])
    redis.call('HSET', KEYS[5], 'until', expires)
    redis.call('PEXPIREAT', KEYS[5], expires)
  end
  return card
end
`;
