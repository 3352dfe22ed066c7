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
 *   P pcount:<ch>          hash  clientId → metas it holds (first join, last leave)
 *   P history:<ch>         stream  o offset, f frame;  P hmeta:<ch>  hash  e epoch, o last offset
 *   P session:<token>      str   a closed connection's session, for a resume
 * Pub/sub: P bus:<node> (to one node), P bus (to all). A bus message is "<type><key length>:<key><payload>":
 *   m channel frame · c clientId frame · k connectionId frame · l channel connectionId (drop a local membership)
 *   r (on P bus) a node wrote its state back.
 */

import { MESSAGE_PREFIX } from '@nest-realtime/core/engine';

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

function script(lua: string): { numberOfKeys: number; lua: string } {
  return { numberOfKeys: 0, lua: HELPERS + lua };
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

  /** ARGV: p, channel, clientId, conn, json {"c","m"}, onlineAt → {countBefore, countAfter, onlineAt kept}. */
  rtPresenceSet: script(`
local p, ch, client, conn = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local presence, counts = p .. 'presence:' .. ch, p .. 'pcount:' .. ch
local before = tonumber(redis.call('HGET', counts, client) or '0')
local existing = redis.call('HGET', presence, conn)
if existing then
  local online_at = stamp(existing)
  redis.call('HSET', presence, conn, online_at .. ':' .. ARGV[5])
  return {before, before, online_at}
end
redis.call('HSET', presence, conn, ARGV[6] .. ':' .. ARGV[5])
return {before, redis.call('HINCRBY', counts, client, 1), ARGV[6]}
`),

  /** ARGV: p, channel, conn → {removed value, countBefore, countAfter}, or nil. */
  rtPresenceRemove: script(`
local p, ch, conn = ARGV[1], ARGV[2], ARGV[3]
local presence, counts = p .. 'presence:' .. ch, p .. 'pcount:' .. ch
local tracked = redis.call('HGET', presence, conn)
if not tracked then return false end
redis.call('HDEL', presence, conn)
local client = cjson.decode(body(tracked)).c
local before = tonumber(redis.call('HGET', counts, client) or '1')
return {tracked, before, decr(counts, client)}
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
} as const;

export type RedisScriptName = keyof typeof REDIS_SCRIPTS;

/** Reads a stored value of the form "<stamp>:<json>" (a member's joinedAt, a presence's onlineAt). */
export function parseStored<T>(value: string): { stamp: number; body: T } {
  const colon = value.indexOf(':');
  return { stamp: Number(value.slice(0, colon)), body: JSON.parse(value.slice(colon + 1)) as T };
}
