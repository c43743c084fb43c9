/**
 * The Lua scripts the Redis rooms run (redis-rooms.ts), and the key layout.
 * Each script is one round trip and atomic, so membership and routing never
 * see half an update. Times come from Redis (TIME), not from the relays, so
 * relays with skewed clocks agree on who has expired.
 *
 * Layout, for prefix P (default "tabmesh:") and network N:
 *   P room:N:active        sorted set: peer id -> expiry (ms), members that want peers
 *   P room:N:idle          sorted set: peer id -> expiry (ms), well-linked members
 *   P room:N:peer:<id>     string: id of the relay process holding the peer, with a TTL
 *   P relay:<relayId>      pub/sub channel of one relay process (redis-bus.ts)
 * A relay refreshes its members' expiries on a timer; the members of a relay
 * that died expire within one TTL and are pruned before every sample.
 */
import type { PeerId } from '../src/core/types.ts';

/** Redis key names for one prefix (network names are [A-Za-z0-9_-], so ':' cannot be forged into them). */
export function redisKeys(prefix: string) {
  return {
    active: (network: string) => `${prefix}room:${network}:active`,
    idle: (network: string) => `${prefix}room:${network}:idle`,
    peer: (network: string, peerId: PeerId) => `${prefix}room:${network}:peer:${peerId}`,
    channelPrefix: `${prefix}relay:`,
    channel: (relayId: string) => `${prefix}relay:${relayId}`,
  };
}

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: active, idle, peer key per member. ARGV: relayId, ttlMs, mode, then
 * (peerId, '1' active | '0' idle) per member. mode 'claim' takes the id
 * (a join: the newest socket wins); 'refresh' renews only ids this relay
 * still holds (or that Redis forgot, after a restart) and returns the ones
 * another relay has taken since, so their stale sockets can be closed.
 */
export const REGISTER_SCRIPT = `${NOW}
local relay, ttl, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local lost = {}
for i = 3, #KEYS do
  local id, active = ARGV[2 * i - 2], ARGV[2 * i - 1]
  local owner = redis.call('GET', KEYS[i])
  if mode == 'claim' or not owner or owner == relay then
    redis.call('SET', KEYS[i], relay, 'PX', ttl)
    local into, from = KEYS[1], KEYS[2]
    if active ~= '1' then into, from = KEYS[2], KEYS[1] end
    redis.call('ZADD', into, now + ttl, id)
    redis.call('ZREM', from, id)
    redis.call('PEXPIRE', into, ttl)
  else
    lost[#lost + 1] = id
  end
end
return lost`;

/** KEYS: active, idle, peer key. ARGV: relayId, peerId. Removes the member only if this relay still holds it. */
export const REMOVE_SCRIPT = `local owner = redis.call('GET', KEYS[3])
if owner and owner ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[3])
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[2])
return 1`;

/**
 * KEYS: active, idle. ARGV: max, exceptPeerId, '1' for active members only.
 * Prunes expired members, then draws distinct random members (ZRANDMEMBER
 * with a positive count): active first, topped up with idle ones.
 */
export const SAMPLE_SCRIPT = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local max, except = tonumber(ARGV[1]), ARGV[2]
local out = {}
for _, id in ipairs(redis.call('ZRANDMEMBER', KEYS[1], max + 1)) do
  if id ~= except and #out < max then out[#out + 1] = id end
end
if #out < max and ARGV[3] ~= '1' then
  for _, id in ipairs(redis.call('ZRANDMEMBER', KEYS[2], max + 1 - #out)) do
    if id ~= except and #out < max then out[#out + 1] = id end
  end
end
return out`;

/** KEYS: peer key. ARGV: channel prefix, payload. Publishes to the holder's channel; returns the receivers (0: nobody has the peer). */
export const ROUTE_SCRIPT = `local owner = redis.call('GET', KEYS[1])
if not owner then return 0 end
return redis.call('PUBLISH', ARGV[1] .. owner, ARGV[2])`;
