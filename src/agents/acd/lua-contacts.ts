/**
 * The scripts that move a contact: into a queue, to an agent, and out.
 * Each runs after lua-prelude.ts; see it for ARGV[1] to ARGV[5].
 */

/** ARGV[6] the contact as JSON, already validated. */
export const enqueue = `
local input = cjson.decode(ARGV[6])
local existing = contact(input.id)
if existing then
  R.existing = existing.state
  R.contact = existing
  if existing.state == 'offered' then
    local o = hash(P .. 'offer:' .. (existing.offerId or ''))
    if o then R.offer = view(o, existing) end
  elseif existing.state == 'waiting' then
    place(existing)
  end
  return done()
end
local q = hash(P .. 'queue:' .. input.queue)
if not q then R.error = 'queue'; return done() end
local skills = list(q.skills)
for _, s in ipairs(input.skills) do
  if not contains(skills, s) then table.insert(skills, s) end
end
local c = { id = input.id, kind = input.kind, queue = input.queue,
  skills = encode_list(skills),
  priority = tostring(input.priority or num(q.priority)),
  enqueuedAt = string.format('%.0f', input.enqueuedAt or NOW),
  queuedAt = NOW, state = 'waiting' }
for _, f in ipairs({ 'customerId', 'conversationId', 'preferredAgentId',
  'callSid' }) do
  if input[f] then c[f] = input[f] end
end
CO[c.id] = c
local fields = {}
for k, v in pairs(c) do table.insert(fields, k); table.insert(fields, v) end
redis.call('HSET', P .. 'contact:' .. c.id, unpack(fields))
stat(c.queue, 'offered', 1)
wait_add(c)
if not route_contact(c) then place(c) end
R.contact = c
return done()
`;

/** ARGV[6] agent id, ARGV[7] offer id. */
export const accept = `
local id, oid = ARGV[6], ARGV[7]
local o = hash(P .. 'offer:' .. oid)
local a = agent(id)
if not o or o.agentId ~= id or not a then R.error = 'offer'; return done() end
local c = contact(o.contactId)
if not c or c.state ~= 'offered' then R.error = 'offer'; return done() end
drop_offer(oid, 'accepted')
local q = hash(P .. 'queue:' .. c.queue) or {}
local waited = NOW - num(c.queuedAt)
stat(c.queue, 'answered', 1)
stat(c.queue, 'totalAnswerMs', waited)
if waited <= (tonumber(q.serviceLevelSeconds or '') or 20) * 1000 then
  stat(c.queue, 'answeredInSl', 1)
end
set_contact(c, { 'state', 'connected', 'answeredAt', NOW, 'offerId', '' })
redis.call('SADD', P .. 'contacts:' .. id, c.id)
if is_voice(c.kind) then
  set_agent(id, a, { 'voice', 1, 'state', 'on-contact', 'reason', '',
    'since', NOW })
else
  local chats = num(a.chats) + 1
  set_agent(id, a, { 'chats', chats, 'idleSince', NOW })
  if chats >= num(a.maxChats) and a.state == 'available' then
    set_agent(id, a, { 'state', 'on-contact', 'reason', '', 'since', NOW })
  end
end
refresh_idle(id, a)
route_agent(id)
R.contact = c
return done()
`;

/** ARGV[6] agent id, ARGV[7] offer id. */
export const decline = `
local id, oid = ARGV[6], ARGV[7]
local o = hash(P .. 'offer:' .. oid)
local a = agent(id)
if not o or o.agentId ~= id or not a then R.error = 'offer'; return done() end
local _, c = drop_offer(oid, 'declined')
refresh_idle(id, a)
if c then
  requeue(c, id)
  route_contact(c)
end
route_agent(id)
return done()
`;

/**
 * ARGV[6] offer id. Removing it from the offers zset is the claim: of
 * two sweepers that both saw it expire, only one moves it on.
 */
export const expire = `
local oid = ARGV[6]
local due = redis.call('ZSCORE', P .. 'offers', oid)
if not due or tonumber(due) > NOW then return done() end
local o, c = drop_offer(oid, 'expired')
if not o then return done() end
local a = agent(o.agentId)
if a then
  set_agent(o.agentId, a, { 'state', 'away', 'reason', 'missed-offer',
    'since', NOW })
  refresh_idle(o.agentId, a)
end
-- Not marked as declined: the agent is away now, and once back may be
-- offered it again, so a contact never waits for an agent who is there.
if c then
  requeue(c, nil)
  route_contact(c)
end
return done()
`;

/** ARGV[6] agent id, ARGV[7] contact id, ARGV[8] wrap-up seconds. */
export const finish = `
local id, cid, wrap = ARGV[6], ARGV[7], tonumber(ARGV[8])
local a, c = agent(id), contact(cid)
if not a or not c or c.agentId ~= id or c.state ~= 'connected' then
  R.error = 'contact'; return done()
end
set_contact(c, { 'state', 'done', 'finishedAt', NOW })
redis.call('EXPIRE', P .. 'contact:' .. cid, 86400)
redis.call('DEL', P .. 'declined:' .. cid)
redis.call('SREM', P .. 'contacts:' .. id, cid)
release_customer(id, c.customerId)
-- Handle time, as a moving average that follows the recent contacts.
local handled = NOW - num(c.answeredAt)
local old = tonumber(redis.call('HGET', P .. 'aht', c.queue) or '')
local aht = old and (old * 0.8 + handled * 0.2) or handled
redis.call('HSET', P .. 'aht', c.queue, string.format('%.0f', aht))
if is_voice(c.kind) then
  set_agent(id, a, { 'voice', 0 })
else
  set_agent(id, a, { 'chats', math.max(0, num(a.chats) - 1) })
end
if a.state == 'on-contact' or a.state == 'available' then
  local free = num(a.voice) == 0 and num(a.chats) == 0
  if free and wrap > 0 then
    set_agent(id, a, { 'state', 'wrap-up', 'reason', '', 'since', NOW })
    redis.call('ZADD', P .. 'wrapups', NOW + wrap * 1000, id)
  elseif num(a.voice) == 0 and num(a.chats) < num(a.maxChats) then
    local fields = { 'idleSince', NOW }
    if a.state ~= 'available' then
      fields = { 'state', 'available', 'reason', '', 'since', NOW,
        'idleSince', NOW }
    end
    set_agent(id, a, fields)
  end
end
refresh_idle(id, a)
route_agent(id)
R.contact = c
return done()
`;

/** ARGV[6] contact id. */
export const abandon = `
local c = contact(ARGV[6])
if not c then R.existing = 'unknown'; return done() end
R.existing = c.state
if c.state == 'waiting' then
  wait_remove(c)
elseif c.state == 'offered' then
  local o = drop_offer(c.offerId or '', 'withdrawn')
  local a = o and agent(o.agentId)
  if a then refresh_idle(o.agentId, a) end
else
  return done()
end
set_contact(c, { 'state', 'abandoned', 'abandonedAt', NOW, 'offerId', '' })
redis.call('EXPIRE', P .. 'contact:' .. c.id, 86400)
redis.call('DEL', P .. 'declined:' .. c.id)
stat(c.queue, 'abandoned', 1)
if c.agentId and c.agentId ~= '' then route_agent(c.agentId) end
return done()
`;

/** ARGV[6] contact id. */
export const position = `
local c = contact(ARGV[6])
if not c then R.existing = 'unknown'; return done() end
R.existing = c.state
place(c)
return done()
`;
