/**
 * The Lua every ACD script starts with: reading agents and contacts,
 * keeping the idle and waiting sets true, and the routing rule itself.
 * Each script collects what it changed in `R` (offers made, offers gone,
 * agents whose state changed, queues touched) and returns it as JSON.
 *
 * ARGV[1] now (ms), ARGV[2] today (yyyy-mm-dd, UTC), ARGV[3] stats TTL
 * (s), ARGV[4] '1' when an agent on chats may take a call, ARGV[5] a
 * random base for offer ids; a script's own arguments start at ARGV[6].
 * KEYS[1] is `{acd}:queues`, naming the slot: every key shares `{acd}`,
 * so the keys built here live on the same Cluster node.
 */
export const prelude = `
local P = '{acd}:'
local NOW = tonumber(ARGV[1])
local DAY = ARGV[2]
local STATS_TTL = tonumber(ARGV[3])
local CALLS_WHILE_CHATTING = ARGV[4] == '1'
local ID_BASE = ARGV[5]
local R = { offers = {}, gone = {}, agents = {}, queues = {} }
local AG, CO, touched_q, touched_a = {}, {}, {}, {}
local seq = 0

local function hash(key)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then return nil end
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  return t
end

local function list(s)
  if not s or s == '' then return {} end
  local ok, v = pcall(cjson.decode, s)
  if ok and type(v) == 'table' then return v end
  return {}
end

local function encode_list(t)
  if #t == 0 then return '[]' end
  return cjson.encode(t)
end

local function contains(t, x)
  for _, v in ipairs(t) do if v == x then return true end end
  return false
end

local function has_all(have, need)
  for _, s in ipairs(need) do
    if not contains(have, s) then return false end
  end
  return true
end

local function is_voice(kind) return kind == 'voice' or kind == 'callback' end
local function num(v) return tonumber(v) or 0 end

local function touch_queue(q)
  if not touched_q[q] then touched_q[q] = true; table.insert(R.queues, q) end
end

local function agent(id)
  if AG[id] == nil then AG[id] = hash(P .. 'agent:' .. id) or false end
  return AG[id] or nil
end

local function contact(id)
  if CO[id] == nil then CO[id] = hash(P .. 'contact:' .. id) or false end
  return CO[id] or nil
end

local function set_fields(key, t, fields)
  for i = 1, #fields, 2 do t[fields[i]] = fields[i + 1] end
  redis.call('HSET', key, unpack(fields))
end

local function set_agent(id, a, fields)
  set_fields(P .. 'agent:' .. id, a, fields)
  touched_a[id] = true
end

local function set_contact(c, fields)
  set_fields(P .. 'contact:' .. c.id, c, fields)
  touch_queue(c.queue)
end

local function stat(q, field, by)
  local key = P .. 'stats:' .. q .. ':' .. DAY
  redis.call('HINCRBY', key, field, by)
  redis.call('EXPIRE', key, STATS_TTL)
end

-- Highest priority first, then oldest: the lowest score is served first.
local function wait_add(c)
  local score = (10 - num(c.priority)) * 1e13 + num(c.enqueuedAt)
  redis.call('ZADD', P .. 'waiting:' .. c.queue,
    string.format('%.0f', score), c.id)
  redis.call('ZADD', P .. 'since:' .. c.queue, c.queuedAt, c.id)
  touch_queue(c.queue)
end

local function wait_remove(c)
  redis.call('ZREM', P .. 'waiting:' .. c.queue, c.id)
  redis.call('ZREM', P .. 'since:' .. c.queue, c.id)
  touch_queue(c.queue)
end

local function room(a, kind)
  if num(a.voice) == 1 then return false end
  if is_voice(kind) then
    return num(a.chats) == 0 or CALLS_WHILE_CHATTING
  end
  return num(a.chats) < num(a.maxChats)
end

-- An agent sits in the idle sets of their queues while they could take
-- at least a chat: available, no offer pending, room left.
local function refresh_idle(id, a)
  local idle = a.state == 'available' and (a.offer or '') == '' and
    (room(a, 'chat') or room(a, 'voice'))
  for _, q in ipairs(list(a.queues)) do
    if idle then
      redis.call('ZADD', P .. 'idle:' .. q, a.idleSince, id)
    else
      redis.call('ZREM', P .. 'idle:' .. q, id)
    end
    touch_queue(q)
  end
end

local function can_take(id, a, c)
  return a.state == 'available' and (a.offer or '') == '' and
    room(a, c.kind) and contains(list(a.queues), c.queue) and
    has_all(list(a.skills), list(c.skills)) and
    redis.call('SISMEMBER', P .. 'declined:' .. c.id, id) == 0
end

local function view(o, c)
  return { offerId = o.offerId, agentId = o.agentId, reason = o.reason,
    expiresAt = num(o.expiresAt), contact = c }
end

local function offer(c, id, a, reason)
  local q = hash(P .. 'queue:' .. c.queue) or {}
  local timeout = tonumber(q.offerTimeoutSeconds or '') or 15
  seq = seq + 1
  local o = { offerId = ID_BASE .. '.' .. seq, agentId = id,
    contactId = c.id, reason = reason, expiresAt = NOW + timeout * 1000 }
  redis.call('HSET', P .. 'offer:' .. o.offerId, 'offerId', o.offerId,
    'agentId', id, 'contactId', c.id, 'reason', reason,
    'expiresAt', o.expiresAt)
  redis.call('ZADD', P .. 'offers', o.expiresAt, o.offerId)
  set_agent(id, a, { 'offer', o.offerId })
  refresh_idle(id, a)
  wait_remove(c)
  set_contact(c, { 'state', 'offered', 'agentId', id,
    'offerId', o.offerId, 'offeredAt', NOW })
  if (c.customerId or '') ~= '' then
    redis.call('SADD', P .. 'assigned:' .. id, c.customerId)
  end
  table.insert(R.offers, view(o, c))
end

-- The preferred agent when they can take it; else the longest idle.
-- TODO(perf): walks the queue's idle agents in order; a queue with
-- thousands of agents and rare skills would want a set per skill.
local function route_contact(c)
  if c.state ~= 'waiting' then return false end
  local pref = c.preferredAgentId or ''
  if pref ~= '' then
    local a = agent(pref)
    if a and can_take(pref, a, c) then
      offer(c, pref, a, 'preferred-agent')
      return true
    end
  end
  local chosen, chosen_a, count = nil, nil, 0
  for _, id in ipairs(redis.call('ZRANGE', P .. 'idle:' .. c.queue, 0, -1)) do
    local a = agent(id)
    if a and can_take(id, a, c) then
      count = count + 1
      if count == 1 then chosen, chosen_a = id, a else break end
    end
  end
  if not chosen then return false end
  offer(c, chosen, chosen_a,
    count > 1 and 'longest-idle' or 'only-available')
  return true
end

-- An agent who just became free takes the best waiting contact of their
-- queues: highest priority, then oldest, looking at the first 50 of each.
local function route_agent(id)
  local a = agent(id)
  if not a or a.state ~= 'available' or (a.offer or '') ~= '' then
    return false
  end
  local best, best_score = nil, nil
  for _, q in ipairs(list(a.queues)) do
    local rows = redis.call('ZRANGE', P .. 'waiting:' .. q, 0, 49,
      'WITHSCORES')
    for i = 1, #rows, 2 do
      local score = tonumber(rows[i + 1])
      if best_score and score >= best_score then break end
      local c = contact(rows[i])
      if c and can_take(id, a, c) then
        best, best_score = c, score
        break
      end
    end
  end
  if not best then return false end
  local reason = 'longest-idle'
  if best.preferredAgentId == id then
    reason = 'preferred-agent'
  elseif redis.call('ZCARD', P .. 'idle:' .. best.queue) <= 1 then
    reason = 'only-available'
  end
  offer(best, id, a, reason)
  return true
end

-- The customer stays in the agent's assigned set while another of the
-- agent's contacts is theirs.
local function release_customer(id, customer)
  if (customer or '') == '' then return end
  for _, cid in ipairs(redis.call('SMEMBERS', P .. 'contacts:' .. id)) do
    local other = contact(cid)
    if other and other.customerId == customer then return end
  end
  redis.call('SREM', P .. 'assigned:' .. id, customer)
end

-- Ends an offer; its contact is returned to the caller to re-queue.
local function drop_offer(offer_id, why)
  local o = hash(P .. 'offer:' .. offer_id)
  if not o then return nil, nil end
  redis.call('DEL', P .. 'offer:' .. offer_id)
  redis.call('ZREM', P .. 'offers', offer_id)
  local a = agent(o.agentId)
  if a and a.offer == offer_id then set_agent(o.agentId, a, { 'offer', '' }) end
  local c = contact(o.contactId)
  table.insert(R.gone, { offer = view(o, c or {}), why = why })
  if c and why ~= 'accepted' then release_customer(o.agentId, c.customerId) end
  return o, c
end

local function requeue(c, decliner)
  if decliner then
    redis.call('SADD', P .. 'declined:' .. c.id, decliner)
    redis.call('EXPIRE', P .. 'declined:' .. c.id, 86400)
  end
  set_contact(c, { 'state', 'waiting', 'agentId', '', 'offerId', '' })
  wait_add(c)
end

local function staffed(q)
  local n = 0
  for _, id in ipairs(redis.call('SMEMBERS', P .. 'members:' .. q)) do
    local s = redis.call('HGET', P .. 'agent:' .. id, 'state')
    if s == 'available' or s == 'on-contact' or s == 'wrap-up' then
      n = n + 1
    end
  end
  return n
end

local function place(c)
  local rank = redis.call('ZRANK', P .. 'waiting:' .. c.queue, c.id)
  if not rank then return end
  R.position = rank + 1
  R.ahtMs = tonumber(redis.call('HGET', P .. 'aht', c.queue) or '') or 0
  R.staffed = staffed(c.queue)
end

-- One number per script run, rising across all of them, so the
-- presence written after it can refuse to overwrite a newer one.
local function done()
  if next(touched_a) then
    R.seq = redis.call('INCR', P .. 'presence-seq')
  end
  for id in pairs(touched_a) do
    local a = AG[id]
    -- An agent removed in this run is 'gone': its presence is forgotten.
    R.agents[id] = (a and a.state) or 'gone'
  end
  return cjson.encode(R)
end
`;
