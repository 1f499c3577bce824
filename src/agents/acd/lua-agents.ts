/**
 * The scripts that change an agent, and the figures of a queue. Each
 * runs after lua-prelude.ts; see it for ARGV[1] to ARGV[5].
 */

/** ARGV[6] agent id; the same claim as expire, on the wrap-ups zset. */
export const endWrapUp = `
local id = ARGV[6]
local due = redis.call('ZSCORE', P .. 'wrapups', id)
if not due or tonumber(due) > NOW then return done() end
redis.call('ZREM', P .. 'wrapups', id)
local a = agent(id)
if a and a.state == 'wrap-up' then
  set_agent(id, a, { 'state', 'available', 'reason', '', 'since', NOW,
    'idleSince', NOW })
  refresh_idle(id, a)
  route_agent(id)
end
return done()
`;

/** ARGV[6] agent id, ARGV[7] state, ARGV[8] reason. */
export const setState = `
local id, state, reason = ARGV[6], ARGV[7], ARGV[8]
local a = agent(id)
if not a then R.error = 'agent'; return done() end
local voice, chats = num(a.voice) == 1, num(a.chats)
if state == 'available' then
  if voice or chats >= num(a.maxChats) then R.error = 'state'; return done() end
elseif state == 'away' then
  if voice then R.error = 'state'; return done() end
elseif state == 'offline' then
  if voice or chats > 0 then R.error = 'state'; return done() end
else
  R.error = 'state'; return done()
end
redis.call('ZREM', P .. 'wrapups', id)
local fields = { 'state', state, 'reason', reason }
if a.state ~= state then
  table.insert(fields, 'since'); table.insert(fields, NOW)
  if state == 'available' then
    table.insert(fields, 'idleSince'); table.insert(fields, NOW)
  end
end
local c
if state ~= 'available' and (a.offer or '') ~= '' then
  c = select(2, drop_offer(a.offer, 'withdrawn'))
end
set_agent(id, a, fields)
refresh_idle(id, a)
if c then
  requeue(c, nil)
  route_contact(c)
end
route_agent(id)
return done()
`;

/** ARGV[6] agent id, ARGV[7] skills JSON, ARGV[8] queues JSON, ARGV[9] max chats. */
export const upsertAgent = `
local id = ARGV[6]
local a = agent(id)
if not a then
  a = { state = 'offline', reason = '', since = NOW, chats = 0, voice = 0,
    idleSince = NOW, offer = '', queues = '[]', skills = '[]' }
  AG[id] = a
  set_agent(id, a, { 'state', 'offline', 'reason', '', 'since', NOW,
    'chats', 0, 'voice', 0, 'idleSince', NOW, 'offer', '' })
end
for _, q in ipairs(list(a.queues)) do
  redis.call('ZREM', P .. 'idle:' .. q, id)
  redis.call('SREM', P .. 'members:' .. q, id)
  touch_queue(q)
end
set_agent(id, a, { 'skills', ARGV[7], 'queues', ARGV[8],
  'maxChats', ARGV[9] })
for _, q in ipairs(list(a.queues)) do
  redis.call('SADD', P .. 'members:' .. q, id)
end
refresh_idle(id, a)
route_agent(id)
return done()
`;

/** ARGV[6] agent id. */
export const removeAgent = `
local id = ARGV[6]
local a = agent(id)
if not a then return done() end
local c
if (a.offer or '') ~= '' then
  c = select(2, drop_offer(a.offer, 'withdrawn'))
end
for _, q in ipairs(list(a.queues)) do
  redis.call('ZREM', P .. 'idle:' .. q, id)
  redis.call('SREM', P .. 'members:' .. q, id)
  touch_queue(q)
end
redis.call('ZREM', P .. 'wrapups', id)
redis.call('DEL', P .. 'agent:' .. id, P .. 'assigned:' .. id)
AG[id] = false
touched_a[id] = true
if c then
  requeue(c, nil)
  route_contact(c)
end
return done()
`;

/** ARGV[6] queue id: the figures stats.ts turns into queue statistics. */
export const queueFigures = `
local q = ARGV[6]
local oldest = redis.call('ZRANGE', P .. 'since:' .. q, 0, 0, 'WITHSCORES')
R.waiting = redis.call('ZCARD', P .. 'waiting:' .. q)
R.oldestQueuedAt = tonumber(oldest[2] or '') or 0
R.day = hash(P .. 'stats:' .. q .. ':' .. DAY) or {}
R.agentsAvailable = redis.call('ZCARD', P .. 'idle:' .. q)
R.agentsStaffed = staffed(q)
return done()
`;
