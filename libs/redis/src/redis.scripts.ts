/**
 * The Redis engine's Lua scripts. Each runs atomically, so what it reads and writes (a membership and
 * the channel's routing table, an offset and its stream entry) never disagree, and its PUBLISHes to the
 * node buses happen in one order for every node. Every key is built from the prefix in ARGV[1]: one
 * Redis (or a Sentinel primary), not a Redis Cluster.
 *
 * Keys (P is the prefix):
 *   P nodes                hash  node → startedAt: the nodes that announced themselves
 *   P alive:<node>         str   the node's heartbeat, expires after nodeTtl
 *   P reaper:<node>        str   the claim of the node that releases a dead node's connections
 *   P node-conns:<node>    set   the connectionIds a node holds
 *   P conn:<id>            hash  c clientId, n node, s state, t connectedAt
 *   P conn-chans:<id>      set   the channels of a connection
 *   P client-conns:<cid>   set   the connectionIds of a clientId
 *   P client-groups:<cid>  set   the groups of a clientId;  P group:<g>  set  its clientIds
 *   P members:<ch>         hash  connectionId → "<joinedAt>:" .. {"c","n","m"}
 *   P nodes-of:<ch>        hash  node → members it holds (where a publish goes)
 *   P presence:<ch>        hash  connectionId → "<onlineAt>:" .. {"c","m"}
 *   P pversion:<ch>        string the count of presence writes (set, remove) of the channel
 *   P pcount:<ch>          hash  clientId → metas it holds (first join, last leave)
 *   P history:<ch>         stream  o offset, f frame;  P hmeta:<ch>  hash  e epoch, o last offset
 *   P session:<token>      str   a closed connection's session, for a resume
 * Shared states (T is the state's hash tag: {c:<channel or scope>} or {g:<group>}, so that a state's keys
 * share a Cluster slot):
 *   P state:T              hash  key → "<version>:" .. its entry JSON {"value","version","by","at","expiresAt"?}
 *   P state-meta:T         hash  r revision, e epoch, l log size last asked
 *   P state-log:T          list  the last changes, oldest first, as JSON {"revision","set","removed","expired"?}
 *   P state-ttl:T          zset  key → expiresAt, for the keys written with a ttl
 *   P state-expiring       zset  "<c|g>:<name>" → the soonest expiresAt of the state (maybe earlier: then none)
 *   P state-followers:{c:<scope>}  set  the channels that follow a scope
 *   P state-follows:{c:<channel>}  set  the scopes a channel follows
 *   A state with no key keeps its meta and log for the history meta ttl after its last change or read.
 * Pub/sub: P bus:<node> (to one node), P bus (to all). A bus message is "<type><key length>:<key><payload>":
 *   m channel frame · c clientId frame · k connectionId frame · l channel connectionId (drop a local membership)
 *   r (on P bus) a node wrote its state back.
 */

import { MESSAGE_PREFIX, STATE_DIFF_PREFIX } from '@nest-realtime/core/engine';

/** Helpers shared by the scripts: no Lua function lives across scripts, so they are prepended. */
const HELPERS = `
local function body(v) return string.sub(v, string.find(v, ':', 1, true) + 1) end
local function stamp(v) return string.sub(v, 1, string.find(v, ':', 1, true) - 1) end
local function decr(key, field)
  local left = redis.call('HINCRBY', key, field, -1)
  if left <= 0 then redis.call('HDEL', key, field) end
  return math.max(left, 0)
end
local function bus(p, node, kind, key, payload)
  redis.call('PUBLISH', p .. 'bus:' .. node, kind .. #key .. ':' .. key .. payload)
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function drop_connection(p, conn)
  for _, ch in ipairs(redis.call('SMEMBERS', p .. 'conn-chans:' .. conn)) do
    local member = redis.call('HGET', p .. 'members:' .. ch, conn)
    if member then
      redis.call('HDEL', p .. 'members:' .. ch, conn)
      decr(p .. 'nodes-of:' .. ch, cjson.decode(body(member)).n)
    end
    local tracked = redis.call('HGET', p .. 'presence:' .. ch, conn)
    if tracked then
      redis.call('HDEL', p .. 'presence:' .. ch, conn)
      decr(p .. 'pcount:' .. ch, cjson.decode(body(tracked)).c)
    end
  end
  redis.call('DEL', p .. 'conn-chans:' .. conn)
  local record = redis.call('HMGET', p .. 'conn:' .. conn, 'c', 'n')
  redis.call('DEL', p .. 'conn:' .. conn)
  if record[1] then redis.call('SREM', p .. 'client-conns:' .. record[1], conn) end
  if record[2] then redis.call('SREM', p .. 'node-conns:' .. record[2], conn) end
end
local function ensure_epoch(p, ch, epoch, meta_ttl)
  local meta = p .. 'hmeta:' .. ch
  local current = redis.call('HGET', meta, 'e')
  if current then return current end
  -- A new epoch: whatever the stream still holds belongs to none.
  redis.call('DEL', p .. 'history:' .. ch)
  redis.call('HSET', meta, 'e', epoch, 'o', 0)
  redis.call('PEXPIRE', meta, meta_ttl)
  return epoch
end
local function route(p, ch, frame)
  for _, node in ipairs(redis.call('HKEYS', p .. 'nodes-of:' .. ch)) do bus(p, node, 'm', ch, frame) end
  return redis.call('HLEN', p .. 'members:' .. ch)
end
`;

/**
 * Helpers of the shared-state scripts. A change is JSON text `{"revision":…}` built here and logged as
 * is; its frames splice an address before its fields, as state-frame.ts builds them (cjson escapes "/",
 * which json_string undoes, so names read the same bytes as in JSON.stringify).
 */
const STATE_HELPERS = `
local function skey(p, what, kind, name) return p .. what .. ':{' .. kind .. ':' .. name .. '}' end
local function json_string(s) return (string.gsub(cjson.encode(s), '\\\\/', '/')) end
local function state_meta(p, kind, name, epoch)
  local meta = skey(p, 'state-meta', kind, name)
  local found = redis.call('HMGET', meta, 'e', 'r')
  if found[1] then return found[1], tonumber(found[2]) end
  -- A new epoch: whatever the log still holds belongs to none.
  redis.call('DEL', skey(p, 'state-log', kind, name))
  redis.call('HSET', meta, 'e', epoch, 'r', 0)
  return epoch, 0
end
local function state_keep(p, kind, name, meta_ttl)
  local held = redis.call('EXISTS', skey(p, 'state', kind, name)) == 1
  for _, what in ipairs({'state-meta', 'state-log'}) do
    local key = skey(p, what, kind, name)
    if held then redis.call('PERSIST', key) else redis.call('PEXPIRE', key, meta_ttl) end
  end
end
local function route_state(p, ch, head, change)
  local nodes = redis.call('HKEYS', p .. 'nodes-of:' .. ch)
  if #nodes == 0 then return end
  local frame = '${STATE_DIFF_PREFIX}' .. head .. string.sub(change, 2) .. '}'
  for _, node in ipairs(nodes) do bus(p, node, 'm', ch, frame) end
end
local function deliver_state(p, kind, name, change)
  if kind == 'g' then
    local frame = '${STATE_DIFF_PREFIX}{"group":' .. json_string(name) .. ',' .. string.sub(change, 2) .. '}'
    for _, client in ipairs(redis.call('SMEMBERS', p .. 'group:' .. name)) do
      local told = {}
      for _, conn in ipairs(redis.call('SMEMBERS', p .. 'client-conns:' .. client)) do
        local node = redis.call('HGET', p .. 'conn:' .. conn, 'n')
        if node and not told[node] then
          told[node] = true
          bus(p, node, 'c', client, frame)
        end
      end
    end
    return
  end
  local scope = json_string(name)
  route_state(p, name, '{"channel":' .. scope .. ',', change)
  for _, follower in ipairs(redis.call('SMEMBERS', skey(p, 'state-followers', 'c', name))) do
    if follower ~= name then route_state(p, follower, '{"channel":' .. json_string(follower) .. ',"scope":' .. scope .. ',', change) end
  end
end
local function state_change(p, kind, name, fields, log_size, meta_ttl)
  local revision = redis.call('HINCRBY', skey(p, 'state-meta', kind, name), 'r', 1)
  local change = '{"revision":' .. revision .. fields
  local log = skey(p, 'state-log', kind, name)
  if log_size > 0 then
    redis.call('RPUSH', log, change)
    redis.call('LTRIM', log, -log_size, -1)
  else
    redis.call('DEL', log)
  end
  state_keep(p, kind, name, meta_ttl)
  deliver_state(p, kind, name, change)
  return change
end
`;

function script(lua: string): { numberOfKeys: number; lua: string } {
  return { numberOfKeys: 0, lua: HELPERS + lua };
}

function stateScript(lua: string): { numberOfKeys: number; lua: string } {
  return script(STATE_HELPERS + lua);
}

export const REDIS_SCRIPTS = {
  /** ARGV: p, node, channel, conn, json {"c","n","m"}, limit, joinedAt → 1 created, 0 meta updated, -1 full. */
  rtJoin: script(`
local p, node, ch, conn = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local members = p .. 'members:' .. ch
local existing = redis.call('HGET', members, conn)
if existing then
  redis.call('HSET', members, conn, stamp(existing) .. ':' .. ARGV[5])
  return 0
end
local limit = tonumber(ARGV[6])
if limit > 0 and redis.call('HLEN', members) >= limit then return -1 end
redis.call('HSET', members, conn, ARGV[7] .. ':' .. ARGV[5])
redis.call('HINCRBY', p .. 'nodes-of:' .. ch, node, 1)
redis.call('SADD', p .. 'conn-chans:' .. conn, ch)
return 1
`),

  /** ARGV: p, channel, conn, caller node → the removed member's value, or nil. Tells the member's node when it is another. */
  rtLeave: script(`
local p, ch, conn = ARGV[1], ARGV[2], ARGV[3]
local members = p .. 'members:' .. ch
local member = redis.call('HGET', members, conn)
if not member then return false end
redis.call('HDEL', members, conn)
local node = cjson.decode(body(member)).n
decr(p .. 'nodes-of:' .. ch, node)
redis.call('SREM', p .. 'conn-chans:' .. conn, ch)
if node ~= ARGV[4] then bus(p, node, 'l', ch, conn) end
return member
`),

  /** ARGV: p, channel, clientId, conn, json {"c","m"}, onlineAt → {countBefore, countAfter, onlineAt kept, presence version}. */
  rtPresenceSet: script(`
local p, ch, client, conn = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local presence, counts = p .. 'presence:' .. ch, p .. 'pcount:' .. ch
local before = tonumber(redis.call('HGET', counts, client) or '0')
local existing = redis.call('HGET', presence, conn)
local version = redis.call('INCR', p .. 'pversion:' .. ch)
if existing then
  local online_at = stamp(existing)
  redis.call('HSET', presence, conn, online_at .. ':' .. ARGV[5])
  return {before, before, online_at, version}
end
redis.call('HSET', presence, conn, ARGV[6] .. ':' .. ARGV[5])
return {before, redis.call('HINCRBY', counts, client, 1), ARGV[6], version}
`),

  /** ARGV: p, channel, conn → {removed value, countBefore, countAfter, presence version}, or nil. */
  rtPresenceRemove: script(`
local p, ch, conn = ARGV[1], ARGV[2], ARGV[3]
local presence, counts = p .. 'presence:' .. ch, p .. 'pcount:' .. ch
local tracked = redis.call('HGET', presence, conn)
if not tracked then return false end
redis.call('HDEL', presence, conn)
local client = cjson.decode(body(tracked)).c
local before = tonumber(redis.call('HGET', counts, client) or '1')
return {tracked, before, decr(counts, client), redis.call('INCR', p .. 'pversion:' .. ch)}
`),

  /** ARGV: p, channel → {presence version, {conn, value, conn, value, …}}, read at once. */
  rtPresenceState: script(`
local p, ch = ARGV[1], ARGV[2]
return {tonumber(redis.call('GET', p .. 'pversion:' .. ch) or '0'), redis.call('HGETALL', p .. 'presence:' .. ch)}
`),

  /** ARGV: p, channel, frame → the channel's members on every node. */
  rtPublish: script(`
return route(ARGV[1], ARGV[2], ARGV[3])
`),

  /**
   * ARGV: p, channel, body, size, ttl, new epoch, meta ttl → {offset, epoch, members}. The frame is
   * spliced as history-frame.ts splices it.
   */
  rtPublishMessage: script(`
local p, ch, data = ARGV[1], ARGV[2], ARGV[3]
local ttl = tonumber(ARGV[5])
local meta_ttl = math.max(ttl, tonumber(ARGV[7]))
local epoch = ensure_epoch(p, ch, ARGV[6], meta_ttl)
local meta = p .. 'hmeta:' .. ch
local offset = redis.call('HINCRBY', meta, 'o', 1)
local frame = '${MESSAGE_PREFIX}' .. string.sub(data, 1, -2) .. ',"offset":' .. offset .. ',"epoch":"' .. epoch .. '"}}'
local stream = p .. 'history:' .. ch
redis.call('XADD', stream, 'MAXLEN', ARGV[4], '*', 'o', offset, 'f', frame)
redis.call('XTRIM', stream, 'MINID', now_ms() - ttl)
redis.call('PEXPIRE', stream, ttl)
redis.call('PEXPIRE', meta, meta_ttl)
return {offset, epoch, route(p, ch, frame)}
`),

  /** ARGV: p, channel, new epoch, meta ttl → {offset, epoch}. */
  rtPosition: script(`
local epoch = ensure_epoch(ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]))
return {tonumber(redis.call('HGET', ARGV[1] .. 'hmeta:' .. ARGV[2], 'o')), epoch}
`),

  /**
   * ARGV: p, channel, offset, epoch, ttl → {'ok', offset, epoch, frame…} with every frame after the
   * offset, oldest first; {'epoch'} or {'window'} when that cannot be had without a gap.
   */
  rtHistorySince: script(`
local p, ch = ARGV[1], ARGV[2]
local since, ttl = tonumber(ARGV[3]), tonumber(ARGV[5])
local meta = p .. 'hmeta:' .. ch
local epoch = redis.call('HGET', meta, 'e')
if not epoch or epoch ~= ARGV[4] then return {'epoch'} end
local top = tonumber(redis.call('HGET', meta, 'o'))
if since > top then return {'epoch'} end
local result = {'ok', top, epoch}
if since == top then return result end
local missed = top - since
local entries = redis.call('XREVRANGE', p .. 'history:' .. ch, '+', '-', 'COUNT', missed)
if #entries < missed then return {'window'} end
local oldest = now_ms() - ttl
for i = #entries, 1, -1 do
  local id, fields = entries[i][1], entries[i][2]
  if tonumber(string.match(id, '^(%d+)')) < oldest then return {'window'} end
  if tonumber(fields[2]) ~= since + (#entries - i + 1) then return {'window'} end
  table.insert(result, fields[4])
end
return result
`),

  /** ARGV: p, clientId, frame → the clientId's connections on every node. */
  rtSendToClient: script(`
local p, client = ARGV[1], ARGV[2]
local conns = redis.call('SMEMBERS', p .. 'client-conns:' .. client)
local told = {}
for _, conn in ipairs(conns) do
  local node = redis.call('HGET', p .. 'conn:' .. conn, 'n')
  if node and not told[node] then
    told[node] = true
    bus(p, node, 'c', client, ARGV[3])
  end
end
return #conns
`),

  /** ARGV: p, conn, frame → 1 when the connection exists somewhere, else 0. */
  rtSendToConnection: script(`
local node = redis.call('HGET', ARGV[1] .. 'conn:' .. ARGV[2], 'n')
if not node then return 0 end
bus(ARGV[1], node, 'k', ARGV[2], ARGV[3])
return 1
`),

  /** ARGV: p, node, conn, clientId, state, connectedAt. */
  rtConnectionOpened: script(`
local p, node, conn, client = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
redis.call('HSET', p .. 'conn:' .. conn, 'c', client, 'n', node, 's', ARGV[5], 't', ARGV[6])
redis.call('SADD', p .. 'client-conns:' .. client, conn)
redis.call('SADD', p .. 'node-conns:' .. node, conn)
return 1
`),

  /** ARGV: p, conn, state: only while the connection is known. */
  rtConnectionState: script(`
local key = ARGV[1] .. 'conn:' .. ARGV[2]
if redis.call('EXISTS', key) == 1 then redis.call('HSET', key, 's', ARGV[3]) end
return 1
`),

  /** ARGV: p, conn, clientId → the clientId's connections left on every node. */
  rtConnectionClosed: script(`
drop_connection(ARGV[1], ARGV[2])
return redis.call('SCARD', ARGV[1] .. 'client-conns:' .. ARGV[3])
`),

  /** ARGV: p, node, ttl, startedAt → 1 when the node had been forgotten (its state must be written back). */
  rtHeartbeat: script(`
redis.call('SET', ARGV[1] .. 'alive:' .. ARGV[2], ARGV[4], 'PX', ARGV[3])
return redis.call('HSETNX', ARGV[1] .. 'nodes', ARGV[2], ARGV[4])
`),

  /** ARGV: p, me, claim ttl → {{node, conn, clientId, conn, clientId…}…} for each dead node claimed. */
  rtClaimDeadNodes: script(`
local p, me = ARGV[1], ARGV[2]
local dead = {}
for _, node in ipairs(redis.call('HKEYS', p .. 'nodes')) do
  if node ~= me and redis.call('EXISTS', p .. 'alive:' .. node) == 0
     and redis.call('SET', p .. 'reaper:' .. node, me, 'NX', 'PX', ARGV[3]) then
    local claimed = {node}
    for _, conn in ipairs(redis.call('SMEMBERS', p .. 'node-conns:' .. node)) do
      table.insert(claimed, conn)
      table.insert(claimed, redis.call('HGET', p .. 'conn:' .. conn, 'c') or '')
    end
    table.insert(dead, claimed)
  end
end
return dead
`),

  /** ARGV: p, node: forgets a node and whatever it still held. */
  rtForgetNode: script(`
local p, node = ARGV[1], ARGV[2]
for _, conn in ipairs(redis.call('SMEMBERS', p .. 'node-conns:' .. node)) do drop_connection(p, conn) end
redis.call('DEL', p .. 'node-conns:' .. node, p .. 'reaper:' .. node, p .. 'alive:' .. node)
redis.call('HDEL', p .. 'nodes', node)
return 1
`),

  /** ARGV: p, node: drops what the store holds of a node's connections, before the node writes them back. */
  rtPurgeNode: script(`
local p, node = ARGV[1], ARGV[2]
for _, conn in ipairs(redis.call('SMEMBERS', p .. 'node-conns:' .. node)) do drop_connection(p, conn) end
redis.call('DEL', p .. 'node-conns:' .. node)
return 1
`),

  /**
   * ARGV: p, kind (c|g), name, op (set|delete), key, key JSON, expected version ('' for none), maxKeys,
   * logSize, new epoch, meta ttl, value JSON, by JSON, at, expiresAt ('' for none) →
   * {'ok', version, change JSON} | {'conflict', version, entry JSON or ''} | {'missing'} | {'full'}.
   * Applies, logs and routes the `state:diff` frames in one step.
   */
  rtStateWrite: stateScript(`
local p, kind, name, key = ARGV[1], ARGV[2], ARGV[3], ARGV[5]
local entries = skey(p, 'state', kind, name)
local current = redis.call('HGET', entries, key)
local version = current and tonumber(stamp(current)) or 0
if ARGV[7] ~= '' and tonumber(ARGV[7]) ~= version then return {'conflict', version, current and body(current) or ''} end
if ARGV[4] == 'delete' and not current then return {'missing'} end
if ARGV[4] == 'set' and not current and redis.call('HLEN', entries) >= tonumber(ARGV[8]) then return {'full'} end
local log_size, meta_ttl = tonumber(ARGV[9]), tonumber(ARGV[11])
state_meta(p, kind, name, ARGV[10])
redis.call('HSET', skey(p, 'state-meta', kind, name), 'l', log_size)
local ttls = skey(p, 'state-ttl', kind, name)
if ARGV[4] == 'delete' then
  redis.call('HDEL', entries, key)
  redis.call('ZREM', ttls, key)
  return {'ok', 0, state_change(p, kind, name, ',"set":{},"removed":[' .. ARGV[6] .. ']}', log_size, meta_ttl)}
end
version = version + 1
local entry = '{"value":' .. ARGV[12] .. ',"version":' .. version .. ',"by":' .. ARGV[13] .. ',"at":' .. ARGV[14]
if ARGV[15] ~= '' then
  entry = entry .. ',"expiresAt":' .. ARGV[15]
  redis.call('ZADD', ttls, ARGV[15], key)
  local target, expiring = kind .. ':' .. name, p .. 'state-expiring'
  local soonest = redis.call('ZSCORE', expiring, target)
  if not soonest or tonumber(ARGV[15]) < tonumber(soonest) then redis.call('ZADD', expiring, ARGV[15], target) end
else
  redis.call('ZREM', ttls, key)
end
entry = entry .. '}'
redis.call('HSET', entries, key, version .. ':' .. entry)
return {'ok', version, state_change(p, kind, name, ',"set":{' .. ARGV[6] .. ':' .. entry .. '},"removed":[]}', log_size, meta_ttl)}
`),

  /** ARGV: p, kind, name, new epoch, meta ttl → {revision, epoch, key, stored entry, key, stored entry…}. */
  rtStateSnapshot: stateScript(`
local p, kind, name = ARGV[1], ARGV[2], ARGV[3]
local epoch, revision = state_meta(p, kind, name, ARGV[4])
state_keep(p, kind, name, tonumber(ARGV[5]))
local result = {revision, epoch}
for _, field in ipairs(redis.call('HGETALL', skey(p, 'state', kind, name))) do table.insert(result, field) end
return result
`),

  /**
   * ARGV: p, kind, name, revision, epoch → {'ok', revision, change JSON…} with every change after the
   * revision, oldest first; {'epoch'} or {'window'} when that cannot be had without a gap.
   */
  rtStateChangesSince: stateScript(`
local p, kind, name = ARGV[1], ARGV[2], ARGV[3]
local since = tonumber(ARGV[4])
local meta = redis.call('HMGET', skey(p, 'state-meta', kind, name), 'e', 'r')
if not meta[1] then
  if since == 0 then return {'ok', 0} end
  return {'epoch'}
end
local top = tonumber(meta[2])
if meta[1] ~= ARGV[5] or since > top then return {'epoch'} end
local result = {'ok', top}
if since == top then return result end
local missed = top - since
local log = skey(p, 'state-log', kind, name)
if redis.call('LLEN', log) < missed then return {'window'} end
for _, change in ipairs(redis.call('LRANGE', log, -missed, -1)) do table.insert(result, change) end
return result
`),

  /** ARGV: p, scope, channel. */
  rtStateFollow: stateScript(`
redis.call('SADD', skey(ARGV[1], 'state-followers', 'c', ARGV[2]), ARGV[3])
redis.call('SADD', skey(ARGV[1], 'state-follows', 'c', ARGV[3]), ARGV[2])
return 1
`),

  /** ARGV: p, channel → 1 when its followings are gone; 0 (kept) while any node holds members of it. */
  rtStateUnfollow: stateScript(`
local p, ch = ARGV[1], ARGV[2]
if redis.call('EXISTS', p .. 'nodes-of:' .. ch) == 1 then return 0 end
local follows = skey(p, 'state-follows', 'c', ch)
for _, scope in ipairs(redis.call('SMEMBERS', follows)) do redis.call('SREM', skey(p, 'state-followers', 'c', scope), ch) end
redis.call('DEL', follows)
return 1
`),

  /**
   * ARGV: p, now, new epoch, meta ttl → the states changed. Removes the keys due by now from every state
   * that has some, each state's removal one change (with "expired"), routed like a write's.
   */
  rtStateExpire: stateScript(`
local p, now, meta_ttl = ARGV[1], ARGV[2], tonumber(ARGV[4])
local expiring = p .. 'state-expiring'
local changed = 0
for _, target in ipairs(redis.call('ZRANGEBYSCORE', expiring, '-inf', now)) do
  local kind, name = string.sub(target, 1, 1), string.sub(target, 3)
  local ttls = skey(p, 'state-ttl', kind, name)
  local due = redis.call('ZRANGEBYSCORE', ttls, '-inf', now)
  if #due > 0 then
    local entries = skey(p, 'state', kind, name)
    local names = {}
    for i, key in ipairs(due) do
      redis.call('HDEL', entries, key)
      names[i] = json_string(key)
    end
    redis.call('ZREMRANGEBYSCORE', ttls, '-inf', now)
    state_meta(p, kind, name, ARGV[3])
    local log_size = tonumber(redis.call('HGET', skey(p, 'state-meta', kind, name), 'l') or '0')
    local list = '[' .. table.concat(names, ',') .. ']'
    state_change(p, kind, name, ',"set":{},"removed":' .. list .. ',"expired":' .. list .. '}', log_size, meta_ttl)
    changed = changed + 1
  end
  local soonest = redis.call('ZRANGE', ttls, 0, 0, 'WITHSCORES')
  if soonest[2] then redis.call('ZADD', expiring, soonest[2], target) else redis.call('ZREM', expiring, target) end
end
return changed
`),
} as const;

export type RedisScriptName = keyof typeof REDIS_SCRIPTS;

/** Reads a stored value of the form "<stamp>:<json>" (a member's joinedAt, a presence's onlineAt). */
export function parseStored<T>(value: string): { stamp: number; body: T } {
  const colon = value.indexOf(':');
  return { stamp: Number(value.slice(0, colon)), body: JSON.parse(value.slice(colon + 1)) as T };
}
