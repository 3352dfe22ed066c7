/**
 * The Redis engine's Lua scripts. Each runs atomically, so what it reads and writes (a membership and
 * the channel's routing table, an offset and its stream entry) never disagree, and what it publishes on a
 * channel's bus goes out in one order for every node. Each script touches the keys of one hash slot (the
 * keys share a hash tag, see redis.keys.ts) and names one of them as KEYS[1], by which a Redis Cluster
 * routes it; what spans several slots (a closed connection, a dead node) is driven from TypeScript, one
 * slot at a time (connection.cleanup.ts, node.liveness.ts).
 *
 * Keys (P is the prefix; {c:<ch>} a channel's tag, {k:<id>} a connection's, {u:<cid>} a clientId's,
 * {n:<node>} a node's, {g:<group>} a group's):
 *   P nodes                    hash  node → startedAt: the nodes that announced themselves
 *   P alive:{n:<node>}         str   the node's heartbeat, expires after nodeTtl
 *   P reaper:{n:<node>}        str   the claim of the node that releases a dead node's connections
 *   P node-conns:{n:<node>}    set   the connectionIds a node holds
 *   P conn:{k:<id>}            hash  c clientId, n node, s state, t connectedAt
 *   P conn-chans:{k:<id>}      set   the channels of a connection (written before the join, removed after the leave)
 *   P client-conns:{u:<cid>}   set   the connectionIds of a clientId
 *   P client-groups:{u:<cid>}  set   the groups of a clientId;  P group:{g:<g>}  set  its clientIds
 *   P members:{c:<ch>}         hash  connectionId → "<joinedAt>:" .. {"c","n","m"}
 *   P nodes-of:{c:<ch>}        hash  node → members it holds
 *   P presence:{c:<ch>}        hash  connectionId → "<onlineAt>:" .. {"c","m"}
 *   P pversion:{c:<ch>}        str   the count of presence writes (set, remove) of the channel
 *   P pcount:{c:<ch>}          hash  clientId → metas it holds (first join, last leave)
 *   P history:{c:<ch>}         stream  o offset, f frame;  P hmeta:{c:<ch>}  hash  e epoch, o last offset
 *   P session:<token>          str   a closed connection's session, for a resume
 * Shared states (T is the state's tag: {c:<channel or scope>} or {g:<group>}):
 *   P state:T              hash  key → "<version>:" .. its entry JSON {"value","version","by","at","expiresAt"?}
 *   P state-meta:T         hash  r revision, e epoch, l log size last asked
 *   P state-log:T          list  the last changes, oldest first, as JSON {"revision","set","removed","expired"?}
 *   P state-ttl:T          zset  key → expiresAt, for the keys written with a ttl
 *   P state-expiring       zset  "<c|g>:<name>" → the soonest expiresAt of the state (maybe earlier: then none)
 *   P state-followers:{c:<scope>}  set  the channels that follow a scope
 *   P state-follows:{c:<channel>}  set  the scopes a channel follows
 *   A state with no key keeps its meta and log for the history meta ttl after its last change or read.
 * Pub/sub (PUBLISH on one Redis, SPUBLISH on a cluster, where a channel's bus lives in the channel's slot):
 *   P bus:{c:<ch>}   a channel's bus, which every node holding members (or followers) of it subscribes to:
 *                    m channel frame · l channel connectionId (drop a local membership) · s scope state change
 *   P bus:{n:<node>} one node's: c clientId frame · k connectionId frame
 *   P bus            every node's: r (a node wrote its state back)
 * A bus message is "<type><key length>:<key><payload>".
 */

import { MESSAGE_PREFIX, STATE_DIFF_PREFIX } from '@nest-realtime/core/engine';

/** Helpers shared by the scripts: no Lua function lives across scripts, so they are prepended. */
function helpers(publish: string): string {
  return `
local function ck(p, what, ch) return p .. what .. ':{c:' .. ch .. '}' end
local function body(v) return string.sub(v, string.find(v, ':', 1, true) + 1) end
local function stamp(v) return string.sub(v, 1, string.find(v, ':', 1, true) - 1) end
local function decr(key, field)
  local left = redis.call('HINCRBY', key, field, -1)
  if left <= 0 then redis.call('HDEL', key, field) end
  return math.max(left, 0)
end
local function bus(p, ch, kind, key, payload)
  redis.call('${publish}', ck(p, 'bus', ch), kind .. #key .. ':' .. key .. payload)
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function ensure_epoch(p, ch, epoch, meta_ttl)
  local meta = ck(p, 'hmeta', ch)
  local current = redis.call('HGET', meta, 'e')
  if current then return current end
  -- A new epoch: whatever the stream still holds belongs to none.
  redis.call('DEL', ck(p, 'history', ch))
  redis.call('HSET', meta, 'e', epoch, 'o', 0)
  redis.call('PEXPIRE', meta, meta_ttl)
  return epoch
end
local function route(p, ch, frame)
  if redis.call('EXISTS', ck(p, 'nodes-of', ch)) == 1 then bus(p, ch, 'm', ch, frame) end
  return redis.call('HLEN', ck(p, 'members', ch))
end
`;
}

/**
 * Helpers of the shared-state scripts. A change is JSON text `{"revision":…}` built here and logged as
 * is; its frames splice an address before its fields, as state-frame.ts builds them (cjson escapes "/",
 * which json_string undoes, so names read the same bytes as in JSON.stringify). A scope's change goes to
 * its followers as one `s` message on the scope's bus: each node builds their frames (redis.bus.ts). A
 * group's change is routed here on one Redis (`routeGroups`); on a cluster the clients' connections live
 * in other slots, and the engine routes it (redis.shared-state.ts).
 */
function stateHelpers(routeGroups: boolean): string {
  return `
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
local function deliver_state(p, kind, name, change)
  if kind == 'g' then
    if ${routeGroups} then
      local frame = '${STATE_DIFF_PREFIX}{"group":' .. json_string(name) .. ',' .. string.sub(change, 2) .. '}'
      for _, client in ipairs(redis.call('SMEMBERS', skey(p, 'group', 'g', name))) do
        local told = {}
        for _, conn in ipairs(redis.call('SMEMBERS', p .. 'client-conns:{u:' .. client .. '}')) do
          local node = redis.call('HGET', p .. 'conn:{k:' .. conn .. '}', 'n')
          if node and not told[node] then
            told[node] = true
            redis.call('PUBLISH', p .. 'bus:{n:' .. node .. '}', 'c' .. #client .. ':' .. client .. frame)
          end
        end
      end
    end
    return
  end
  if redis.call('EXISTS', ck(p, 'nodes-of', name)) == 1 then
    bus(p, name, 'm', name, '${STATE_DIFF_PREFIX}{"channel":' .. json_string(name) .. ',' .. string.sub(change, 2) .. '}')
  end
  if redis.call('EXISTS', ck(p, 'state-followers', name)) == 1 then bus(p, name, 's', name, change) end
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
}

type ScriptDefinition = { numberOfKeys: number; lua: string };

/** The scripts for one Redis (`sharded` false: PUBLISH) or a Redis Cluster (SPUBLISH). */
export function redisScripts(sharded: boolean) {
  const base = helpers(sharded ? 'SPUBLISH' : 'PUBLISH');
  const script = (lua: string, numberOfKeys = 1): ScriptDefinition => ({ numberOfKeys, lua: base + lua });
  const stateScript = (lua: string): ScriptDefinition => script(stateHelpers(!sharded) + lua);
  return {
    /** KEYS: members. ARGV: p, node, channel, conn, json {"c","n","m"}, limit, joinedAt → 1 created, 0 meta updated, -1 full. */
    rtJoin: script(`
local p, node, ch, conn = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local members = KEYS[1]
local existing = redis.call('HGET', members, conn)
if existing then
  redis.call('HSET', members, conn, stamp(existing) .. ':' .. ARGV[5])
  return 0
end
local limit = tonumber(ARGV[6])
if limit > 0 and redis.call('HLEN', members) >= limit then return -1 end
redis.call('HSET', members, conn, ARGV[7] .. ':' .. ARGV[5])
redis.call('HINCRBY', ck(p, 'nodes-of', ch), node, 1)
return 1
`),

    /**
     * KEYS: members. ARGV: p, channel, conn, caller node → the removed member's value, or nil. Tells the
     * member's node on the channel's bus when it is another, in order with the channel's frames.
     */
    rtLeave: script(`
local p, ch, conn = ARGV[1], ARGV[2], ARGV[3]
local member = redis.call('HGET', KEYS[1], conn)
if not member then return false end
redis.call('HDEL', KEYS[1], conn)
local node = cjson.decode(body(member)).n
decr(ck(p, 'nodes-of', ch), node)
if node ~= ARGV[4] then bus(p, ch, 'l', ch, conn) end
return member
`),

    /** KEYS: members. ARGV: p, channel, conn: drops what a channel holds of a connection (its membership, its presence). */
    rtDropMember: script(`
local p, ch, conn = ARGV[1], ARGV[2], ARGV[3]
local member = redis.call('HGET', KEYS[1], conn)
if member then
  redis.call('HDEL', KEYS[1], conn)
  decr(ck(p, 'nodes-of', ch), cjson.decode(body(member)).n)
end
local tracked = redis.call('HGET', ck(p, 'presence', ch), conn)
if tracked then
  redis.call('HDEL', ck(p, 'presence', ch), conn)
  decr(ck(p, 'pcount', ch), cjson.decode(body(tracked)).c)
end
return 1
`),

    /** KEYS: presence. ARGV: p, channel, clientId, conn, json {"c","m"}, onlineAt → {countBefore, countAfter, onlineAt kept, presence version}. */
    rtPresenceSet: script(`
local p, ch, client, conn = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local presence, counts = KEYS[1], ck(p, 'pcount', ch)
local before = tonumber(redis.call('HGET', counts, client) or '0')
local existing = redis.call('HGET', presence, conn)
local version = redis.call('INCR', ck(p, 'pversion', ch))
if existing then
  local online_at = stamp(existing)
  redis.call('HSET', presence, conn, online_at .. ':' .. ARGV[5])
  return {before, before, online_at, version}
end
redis.call('HSET', presence, conn, ARGV[6] .. ':' .. ARGV[5])
return {before, redis.call('HINCRBY', counts, client, 1), ARGV[6], version}
`),

    /** KEYS: presence. ARGV: p, channel, conn → {removed value, countBefore, countAfter, presence version}, or nil. */
    rtPresenceRemove: script(`
local p, ch, conn = ARGV[1], ARGV[2], ARGV[3]
local presence, counts = KEYS[1], ck(p, 'pcount', ch)
local tracked = redis.call('HGET', presence, conn)
if not tracked then return false end
redis.call('HDEL', presence, conn)
local client = cjson.decode(body(tracked)).c
local before = tonumber(redis.call('HGET', counts, client) or '1')
return {tracked, before, decr(counts, client), redis.call('INCR', ck(p, 'pversion', ch))}
`),

    /** KEYS: presence. ARGV: p, channel → {presence version, {conn, value, conn, value, …}}, read at once. */
    rtPresenceState: script(`
return {tonumber(redis.call('GET', ck(ARGV[1], 'pversion', ARGV[2])) or '0'), redis.call('HGETALL', KEYS[1])}
`),

    /** KEYS: members. ARGV: p, channel, frame → the channel's members on every node. */
    rtPublish: script(`
return route(ARGV[1], ARGV[2], ARGV[3])
`),

    /**
     * KEYS: members. ARGV: p, channel, body, size, ttl, new epoch, meta ttl → {offset, epoch, members}. The
     * frame is spliced as history-frame.ts splices it.
     */
    rtPublishMessage: script(`
local p, ch, data = ARGV[1], ARGV[2], ARGV[3]
local ttl = tonumber(ARGV[5])
local meta_ttl = math.max(ttl, tonumber(ARGV[7]))
local epoch = ensure_epoch(p, ch, ARGV[6], meta_ttl)
local meta = ck(p, 'hmeta', ch)
local offset = redis.call('HINCRBY', meta, 'o', 1)
local frame = '${MESSAGE_PREFIX}' .. string.sub(data, 1, -2) .. ',"offset":' .. offset .. ',"epoch":"' .. epoch .. '"}}'
local stream = ck(p, 'history', ch)
redis.call('XADD', stream, 'MAXLEN', ARGV[4], '*', 'o', offset, 'f', frame)
redis.call('XTRIM', stream, 'MINID', now_ms() - ttl)
redis.call('PEXPIRE', stream, ttl)
redis.call('PEXPIRE', meta, meta_ttl)
return {offset, epoch, route(p, ch, frame)}
`),

    /** KEYS: members. ARGV: p, channel, new epoch, meta ttl → {offset, epoch}. */
    rtPosition: script(`
local epoch = ensure_epoch(ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]))
return {tonumber(redis.call('HGET', ck(ARGV[1], 'hmeta', ARGV[2]), 'o')), epoch}
`),

    /**
     * KEYS: members. ARGV: p, channel, offset, epoch, ttl → {'ok', offset, epoch, frame…} with every frame
     * after the offset, oldest first; {'epoch'} or {'window'} when that cannot be had without a gap.
     */
    rtHistorySince: script(`
local p, ch = ARGV[1], ARGV[2]
local since, ttl = tonumber(ARGV[3]), tonumber(ARGV[5])
local meta = ck(p, 'hmeta', ch)
local epoch = redis.call('HGET', meta, 'e')
if not epoch or epoch ~= ARGV[4] then return {'epoch'} end
local top = tonumber(redis.call('HGET', meta, 'o'))
if since > top then return {'epoch'} end
local result = {'ok', top, epoch}
if since == top then return result end
local missed = top - since
local entries = redis.call('XREVRANGE', ck(p, 'history', ch), '+', '-', 'COUNT', missed)
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

    /** KEYS: conn. ARGV: state: only while the connection is known. */
    rtConnectionState: script(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 's', ARGV[1]) end
return 1
`),

    /** KEYS: client-conns. ARGV: conn → the clientId's connections left on every node. */
    rtClientConnectionGone: script(`
redis.call('SREM', KEYS[1], ARGV[1])
return redis.call('SCARD', KEYS[1])
`),

    /**
     * KEYS: alive, reaper, node-conns of a node. ARGV: me, claim ttl → the node's connectionIds when this
     * node claims it (its heartbeat expired and no other node claimed it), else nil.
     */
    rtClaimNode: script(
      `
if redis.call('EXISTS', KEYS[1]) == 1 or not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return redis.call('SMEMBERS', KEYS[3])
`,
      3,
    ),

    /**
     * KEYS: state. ARGV: p, kind (c|g), name, op (set|delete), key, key JSON, expected version ('' for none),
     * maxKeys, logSize, new epoch, meta ttl, value JSON, by JSON, at, expiresAt ('' for none) →
     * {'ok', version, change JSON} | {'conflict', version, entry JSON or ''} | {'missing'} | {'full'}.
     * Applies, logs and routes the `state:diff` frames in one step (the state-expiring index is the caller's).
     */
    rtStateWrite: stateScript(`
local p, kind, name, key = ARGV[1], ARGV[2], ARGV[3], ARGV[5]
local entries = KEYS[1]
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
else
  redis.call('ZREM', ttls, key)
end
entry = entry .. '}'
redis.call('HSET', entries, key, version .. ':' .. entry)
return {'ok', version, state_change(p, kind, name, ',"set":{' .. ARGV[6] .. ':' .. entry .. '},"removed":[]}', log_size, meta_ttl)}
`),

    /** KEYS: state. ARGV: p, kind, name, new epoch, meta ttl → {revision, epoch, key, stored entry, key, stored entry…}. */
    rtStateSnapshot: stateScript(`
local p, kind, name = ARGV[1], ARGV[2], ARGV[3]
local epoch, revision = state_meta(p, kind, name, ARGV[4])
state_keep(p, kind, name, tonumber(ARGV[5]))
local result = {revision, epoch}
for _, field in ipairs(redis.call('HGETALL', KEYS[1])) do table.insert(result, field) end
return result
`),

    /**
     * KEYS: state. ARGV: p, kind, name, revision, epoch → {'ok', revision, change JSON…} with every change
     * after the revision, oldest first; {'epoch'} or {'window'} when that cannot be had without a gap.
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

    /**
     * KEYS: state (of the channel). ARGV: p, channel → nil (kept) while any node holds members of it, else
     * the scopes it followed, forgotten here (the caller removes it from each scope's followers).
     */
    rtStateUnfollow: stateScript(`
local p, ch = ARGV[1], ARGV[2]
if redis.call('EXISTS', ck(p, 'nodes-of', ch)) == 1 then return false end
local follows = ck(p, 'state-follows', ch)
local scopes = redis.call('SMEMBERS', follows)
redis.call('DEL', follows)
return scopes
`),

    /**
     * KEYS: state. ARGV: p, kind, name, now, new epoch, meta ttl → {changed 0|1, the soonest expiresAt left
     * or '', the change JSON or ''}. Removes the state's keys due by now as one change (with "expired"), routed like a write's.
     */
    rtStateExpire: stateScript(`
local p, kind, name, now, meta_ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[6])
local ttls = skey(p, 'state-ttl', kind, name)
local due = redis.call('ZRANGEBYSCORE', ttls, '-inf', now)
local change = ''
if #due > 0 then
  local names = {}
  for i, key in ipairs(due) do
    redis.call('HDEL', KEYS[1], key)
    names[i] = json_string(key)
  end
  redis.call('ZREMRANGEBYSCORE', ttls, '-inf', now)
  state_meta(p, kind, name, ARGV[5])
  local log_size = tonumber(redis.call('HGET', skey(p, 'state-meta', kind, name), 'l') or '0')
  local list = '[' .. table.concat(names, ',') .. ']'
  change = state_change(p, kind, name, ',"set":{},"removed":' .. list .. ',"expired":' .. list .. '}', log_size, meta_ttl)
end
local soonest = redis.call('ZRANGE', ttls, 0, 0, 'WITHSCORES')
return {change ~= '' and 1 or 0, soonest[2] or '', change}
`),
  } as const;
}

export type RedisScriptName = keyof ReturnType<typeof redisScripts>;

/** Reads a stored value of the form "<stamp>:<json>" (a member's joinedAt, a presence's onlineAt). */
export function parseStored<T>(value: string): { stamp: number; body: T } {
  const colon = value.indexOf(':');
  return { stamp: Number(value.slice(0, colon)), body: JSON.parse(value.slice(colon + 1)) as T };
}
