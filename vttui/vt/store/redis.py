"""The team store: Redis (``redis://`` or ``rediss://``), with the official asyncio client.

Every machine of a team and every worker of a server share replies, aliases, one quota
ledger and single-flight locks. Each operation is one round trip: the ledger and the
cache bookkeeping run as Lua scripts, which Redis executes atomically. The ledger uses
Redis's own clock (TIME), so machines whose clocks disagree still count one minute.

There is no synchronous read here (each answer is a network round trip): the TUI's
same-frame path uses the in-memory cache in front, and a report found here arrives a
round trip later through the normal worker. Keys live under ``vttui:{<namespace>}:``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

from . import ledger as L
from .base import Entry, Grant, LedgerState, Limits, Store, StoredReply, StoreError, StoreStats

T = TypeVar("T")

#: A busy process (a server answering hundreds of callers) may not get back to a connect or
#: a reply for a second or two; a failure sends the store to its fallback for good, so only
#: a Redis that is really gone should fail one. (A refused connection fails at once.)
CONNECT_TIMEOUT = 5.0
COMMAND_TIMEOUT = 6.0
#: Connections per process, and how long a command may wait for one of them.
MAX_CONNECTIONS = 16
POOL_WAIT = 10.0
#: Ledger keys of a key nobody used for this long disappear.
LEDGER_KEEP_MS = 3 * 24 * 3600 * 1000
ALIAS_CAP = 200_000

_NOW = """
local now = tonumber(ARGV[2])
if not now then local t = redis.call('TIME'); now = tonumber(t[1]) + tonumber(t[2]) / 1000000 end
"""

_GET = _NOW + """
local p, k = ARGV[1], ARGV[3]
local v = redis.call('HMGET', p .. 'r:' .. k, 'b', 'f', 'e')
if not v[1] or tonumber(v[3]) <= now then
  redis.call('HINCRBY', p .. 'stats', 'misses', 1)
  return false
end
redis.call('ZADD', p .. 'lru', 'XX', now, k)
redis.call('HINCRBY', p .. 'stats', 'hits', 1)
return {v[1], v[2], v[3]}
"""

_PUT = _NOW + """
local p, maxb = ARGV[1], tonumber(ARGV[3])
local lru, sizes, total = p .. 'lru', p .. 'sizes', p .. 'bytes'
local i = 4
while i <= #ARGV do
  local k, body, fetched, ttl, kind = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3]), ARGV[i + 4]
  local rk = p .. 'r:' .. k
  local keep = ARGV[i + 5] == '0' and tonumber(redis.call('HGET', rk, 'e') or '0') > now
  if not keep then
    local old = tonumber(redis.call('HGET', sizes, k) or '0')
    redis.call('DEL', rk)
    redis.call('HSET', rk, 'b', body, 'f', fetched, 'e', tostring(now + ttl), 'k', kind)
    redis.call('PEXPIRE', rk, math.max(1, math.floor(ttl * 1000)))
    redis.call('HSET', sizes, k, #body)
    redis.call('ZADD', lru, now, k)
    redis.call('INCRBY', total, #body - old)
  end
  i = i + 6
end
local bytes = tonumber(redis.call('GET', total) or '0')
if bytes > maxb then
  local target = maxb * 0.9
  while bytes > target do
    local m = redis.call('ZRANGE', lru, 0, 0)
    if #m == 0 then break end
    local s = tonumber(redis.call('HGET', sizes, m[1]) or '0')
    redis.call('ZREM', lru, m[1])
    redis.call('HDEL', sizes, m[1])
    redis.call('DEL', p .. 'r:' .. m[1])
    bytes = bytes - s
  end
  redis.call('SET', total, math.max(0, bytes))
end
return 1
"""

_INVALIDATE = """
local p, key, prefix = ARGV[1], ARGV[2], ARGV[3] == '1'
local sizes = p .. 'sizes'
local n, freed = 0, 0
local function drop(k)
  freed = freed + tonumber(redis.call('HGET', sizes, k) or '0')
  n = n + redis.call('DEL', p .. 'r:' .. k)
  redis.call('HDEL', sizes, k)
  redis.call('ZREM', p .. 'lru', k)
end
if prefix then
  for _, k in ipairs(redis.call('HKEYS', sizes)) do
    if string.sub(k, 1, #key) == key then drop(k) end
  end
elseif redis.call('HEXISTS', sizes, key) == 1 then
  drop(key)
end
redis.call('DECRBY', p .. 'bytes', freed)
return n
"""

_STATS = _NOW + """
local p = ARGV[1]
local sizes = p .. 'sizes'
local entries, bytes, oldest = 0, 0, false
for _, k in ipairs(redis.call('HKEYS', sizes)) do
  local v = redis.call('HMGET', p .. 'r:' .. k, 'f', 'e')
  if not v[1] or tonumber(v[2]) <= now then
    redis.call('HDEL', sizes, k)
    redis.call('ZREM', p .. 'lru', k)
    redis.call('DEL', p .. 'r:' .. k)
  else
    entries = entries + 1
    bytes = bytes + tonumber(redis.call('HGET', sizes, k))
    local f = tonumber(v[1])
    if not oldest or f < oldest then oldest = f end
  end
end
redis.call('SET', p .. 'bytes', bytes)
local aliases = 0
for _, c in ipairs({'files', 'urls'}) do aliases = aliases + redis.call('HLEN', p .. 'a:' .. c) end
local st = redis.call('HMGET', p .. 'stats', 'hits', 'misses')
return {entries, bytes, oldest and tostring(oldest) or '', st[1] or '0', st[2] or '0', aliases}
"""

# ARGV: prefix, now, mode, per_minute, per_day, window, ticket, block_for, used_at_least,
#       ticket_ttl, max_sleep, poll, keep_ms, refund_at. Mirrors ledger.decide and
#       ledger.refund (see there for the rules).
_LEDGER = _NOW + """
local p, mode = ARGV[1], ARGV[3]
local per_minute, per_day, window = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local ticket, block_for, used_at_least = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local ticket_ttl, max_sleep, poll = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])
local LG, S, Q, SEEN = p .. 'ledger', p .. 'stamps', p .. 'queue', p .. 'seen'
if window then redis.call('ZREMRANGEBYSCORE', S, '-inf', now - window) end
local seen = redis.call('HGETALL', SEEN)
for i = 1, #seen, 2 do
  if tonumber(seen[i + 1]) <= now - ticket_ttl then
    redis.call('HDEL', SEEN, seen[i]); redis.call('ZREM', Q, seen[i])
  end
end
local today = math.floor(now / 86400)
if tonumber(redis.call('HGET', LG, 'day') or '-1') ~= today then
  redis.call('HSET', LG, 'day', today, 'used', 0)
end
local used = tonumber(redis.call('HGET', LG, 'used') or '0')
local blocked = tonumber(redis.call('HGET', LG, 'blocked') or '0')
local granted, wait, spent = 0, 0, 0

if mode == 'adjust' then
  if block_for and block_for > 0 and now + block_for > blocked then
    blocked = now + block_for
    redis.call('HSET', LG, 'blocked', tostring(blocked))
  end
  if used_at_least and used_at_least > used then
    used = used_at_least
    redis.call('HSET', LG, 'used', used)
  end
elseif mode == 'release' then
  if ticket then redis.call('ZREM', Q, ticket); redis.call('HDEL', SEEN, ticket) end
  ticket = nil
elseif mode == 'refund' then
  -- the slot granted at ARGV[14] never reached the server: take its stamp and count back
  local at = tonumber(ARGV[14])
  local near = redis.call('ZRANGEBYSCORE', S, at - 0.001, at + 0.001, 'LIMIT', 0, 1)
  if #near > 0 then redis.call('ZREM', S, near[1]) end
  if math.floor(at / 86400) == today and used > 0 then
    used = used - 1
    redis.call('HSET', LG, 'used', used)
  end
elseif mode == 'acquire' then
  if per_day and used >= per_day then
    if ticket then redis.call('ZREM', Q, ticket); redis.call('HDEL', SEEN, ticket) end
    ticket = nil
    spent = 1
  else
    if not ticket then ticket = redis.call('HINCRBY', LG, 'next_ticket', 1) end
    redis.call('ZADD', Q, ticket, ticket)
    redis.call('HSET', SEEN, ticket, tostring(now))
    local position = redis.call('ZCOUNT', Q, '-inf', '(' .. ticket)
    wait = math.max(0, blocked - now)
    if per_minute and redis.call('ZCARD', S) + position + 1 > per_minute then
      if position > 1000 then
        wait = math.max(wait, max_sleep)
      else
        -- the tickets ahead take the slots as they free, each a window after its use
        local recent = per_minute > 0 and redis.call('ZRANGE', S, -per_minute, -1, 'WITHSCORES') or {}
        local free_at = {}
        for i = 2, #recent, 2 do free_at[#free_at + 1] = tonumber(recent[i]) + window end
        for _ = #free_at + 1, per_minute do free_at[#free_at + 1] = now end
        local when = now
        for _ = 0, position do
          local best = 1
          for j = 2, #free_at do if free_at[j] < free_at[best] then best = j end end
          when = math.max(free_at[best], now)
          free_at[best] = when + window
        end
        wait = math.max(wait, when - now)
      end
    end
    if wait <= 0 then
      redis.call('ZREM', Q, ticket); redis.call('HDEL', SEEN, ticket)
      ticket = nil
      if per_minute then redis.call('ZADD', S, now, redis.call('HINCRBY', LG, 'seq', 1)) end
      used = redis.call('HINCRBY', LG, 'used', 1)
      granted = 1
    else
      wait = math.min(math.max(wait, poll), max_sleep)
    end
  end
end
for _, k in ipairs({LG, S, Q, SEEN}) do redis.call('PEXPIRE', k, ARGV[13]) end
local stamps = redis.call('ZRANGE', S, 0, -1, 'WITHSCORES')
local out = {granted, tostring(wait), ticket and tostring(ticket) or '', spent, today, used, tostring(blocked),
             redis.call('ZCARD', Q), tostring(now)}
for i = 2, #stamps, 2 do out[#out + 1] = stamps[i] end
return out
"""

_LOCK = """
local cur = redis.call('GET', KEYS[1])
if not cur or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""

_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def safe_url(url: str) -> str:
    """The URL without its password (to show and to log)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisStore(Store):
    kind = "redis"
    shared = True
    sync_reads = False

    def __init__(self, url: str, ns: str, *, max_bytes: int = 256 * 1024 * 1024,
                 clock: Callable[[], float] | None = None) -> None:
        from redis.asyncio import BlockingConnectionPool, Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        self.url = url
        self.location = safe_url(url)
        self.ns = ns
        self.max_bytes = max_bytes
        #: None: Redis's own clock (TIME), the same for every machine. Tests pass a fake one.
        self.clock = clock
        self.prefix = f"vttui:{{{ns}}}:"
        try:
            # A bounded pool: a busy server (hundreds of concurrent lookups) waits for one of a
            # few connections instead of opening one per command, whose connects then time out
            # under load and send the store to its fallback.
            pool = BlockingConnectionPool.from_url(url, max_connections=MAX_CONNECTIONS, timeout=POOL_WAIT,
                                                   socket_connect_timeout=CONNECT_TIMEOUT,
                                                   socket_timeout=COMMAND_TIMEOUT)
            self._redis = Redis(connection_pool=pool, retry=Retry(NoBackoff(), 1), decode_responses=False)
        except ValueError as exc:
            raise StoreError("unavailable", f"The Redis URL {self.location} is not usable: {exc}.") from None
        self._get = self._redis.register_script(_GET)
        self._put = self._redis.register_script(_PUT)
        self._invalidate = self._redis.register_script(_INVALIDATE)
        self._stats = self._redis.register_script(_STATS)
        self._ledger = self._redis.register_script(_LEDGER)
        self._lock = self._redis.register_script(_LOCK)
        self._unlock = self._redis.register_script(_UNLOCK)

    def _now(self) -> str:
        return repr(self.clock()) if self.clock is not None else ""

    async def _call(self, op: Callable[[], Awaitable[T]]) -> T:
        from redis.exceptions import AuthenticationError, RedisError
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        try:
            return await op()
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise StoreError("unreachable", f"Redis at {self.location} is unreachable ({_short(exc)}).") from None
        except AuthenticationError as exc:
            message = f"Redis at {self.location} refused the credentials ({_short(exc)})."
            raise StoreError("unavailable", message) from None
        except RedisError as exc:
            raise StoreError("unavailable", f"Redis at {self.location} failed: {_short(exc)}.") from None

    # --- replies -----------------------------------------------------------------------

    async def get(self, key: str) -> StoredReply | None:
        found = await self._call(lambda: self._get(args=[self.prefix, self._now(), key]))
        if not found:
            return None
        body, fetched, expires = found
        return StoredReply(bytes(body), float(fetched), float(expires))

    async def put(self, entries: Sequence[Entry]) -> None:
        args: list[Any] = [self.prefix, self._now(), self.max_bytes]
        for e in entries:
            if e.ttl > 0 and len(e.body) <= self.max_bytes:
                args += [e.key, e.body, repr(e.fetched_at), repr(e.ttl), e.kind, "1" if e.replace else "0"]
        if len(args) > 3:
            await self._call(lambda: self._put(args=args))

    async def invalidate(self, key: str, *, prefix: bool = False) -> int:
        return int(await self._call(lambda: self._invalidate(args=[self.prefix, key, "1" if prefix else "0"])))

    async def clear(self) -> int:
        async def run() -> int:
            count = 0
            async for name in self._redis.scan_iter(match=self.prefix + "r:*", count=500):
                count += int(await self._redis.delete(name))
            aliases = [n async for n in self._redis.scan_iter(match=self.prefix + "a:*", count=500)]
            await self._redis.delete(self.prefix + "lru", self.prefix + "sizes", self.prefix + "bytes", *aliases)
            return count
        return await self._call(run)

    async def stats(self) -> StoreStats:
        entries, size, oldest, hits, misses, aliases = await self._call(
            lambda: self._stats(args=[self.prefix, self._now()]))
        return StoreStats(self.kind, self.location, int(entries), int(size), self.max_bytes, int(hits), int(misses),
                          float(oldest) if _text(oldest) else None, int(aliases))

    # --- aliases and facts -------------------------------------------------------------

    async def resolve(self, collection: str, ident: str) -> str | None:
        found = await self._call(lambda: self._redis.hget(self.prefix + "a:" + collection, ident))
        return _text(found) if found else None

    async def add_aliases(self, items: Sequence[tuple[str, str, str]]) -> None:
        by_collection: dict[str, dict[str, str]] = {}
        for collection, alias, canonical in items:
            if alias and canonical and alias != canonical:
                by_collection.setdefault(collection, {})[alias] = canonical
        if not by_collection:
            return

        async def run() -> None:
            pipe = self._redis.pipeline(transaction=False)
            for collection, mapping in by_collection.items():
                pipe.hset(self.prefix + "a:" + collection, mapping=cast(Any, mapping))
                pipe.hlen(self.prefix + "a:" + collection)
            results = await pipe.execute()
            for (collection, _), length in zip(by_collection.items(), results[1::2], strict=True):
                if int(length) > ALIAS_CAP:  # crude bound: aliases are cheap to learn again
                    await self._redis.delete(self.prefix + "a:" + collection)
        await self._call(run)

    async def get_meta(self, name: str) -> str | None:
        found = await self._call(lambda: self._redis.hget(self.prefix + "meta", name))
        return _text(found) if found else None

    async def set_meta(self, name: str, value: str) -> None:
        await self._call(lambda: self._redis.hset(self.prefix + "meta", name, value))

    # --- ledger ------------------------------------------------------------------------

    async def _ledger_call(self, mode: str, *, limits: Limits | None = None, window: float | None = None,
                           ticket: int | None = None, block_for: float = 0.0,
                           used_at_least: int | None = None, at: float | None = None) -> Grant:
        def opt(value: object) -> str:
            return "" if value is None else repr(value)

        win = limits.window if limits is not None else window
        args: list[str | int] = [self.prefix, self._now(), mode,
                opt(limits.per_minute if limits else None), opt(limits.per_day if limits else None), opt(win),
                opt(ticket), repr(block_for), opt(used_at_least), repr(L.TICKET_TTL), repr(L.MAX_SLEEP), repr(L.POLL),
                LEDGER_KEEP_MS, opt(at)]
        out = await self._call(lambda: self._ledger(args=args))
        granted, wait, new_ticket, spent, day, used, blocked, waiting, now = out[:9]
        state = LedgerState(float(now), L.utc_day(int(day) * 86400.0), int(used),
                            tuple(float(s) for s in out[9:]), float(blocked), int(waiting))
        return Grant(bool(int(granted)), float(wait), int(new_ticket) if _text(new_ticket) else None,
                     bool(int(spent)), state)

    async def acquire(self, limits: Limits, ticket: int | None) -> Grant:
        return await self._ledger_call("acquire", limits=limits, ticket=ticket)

    async def release(self, ticket: int) -> None:
        await self._ledger_call("release", ticket=ticket)

    async def refund(self, at: float) -> None:
        await self._ledger_call("refund", at=at)

    async def ledger(self, window: float) -> LedgerState:
        return (await self._ledger_call("peek", window=window)).state

    async def adjust(self, *, block_for: float = 0.0, used_at_least: int | None = None) -> None:
        await self._ledger_call("adjust", block_for=block_for, used_at_least=used_at_least)

    # --- locks -------------------------------------------------------------------------

    async def lock(self, name: str, owner: str, ttl: float) -> bool:
        key = self.prefix + "lock:" + name
        return bool(await self._call(lambda: self._lock(keys=[key], args=[owner, max(1, int(ttl * 1000))])))

    async def unlock(self, name: str, owner: str) -> None:
        key = self.prefix + "lock:" + name
        await self._call(lambda: self._unlock(keys=[key], args=[owner]))

    # --- lifecycle ---------------------------------------------------------------------

    async def ping(self) -> None:
        await self._call(lambda: self._redis.ping())

    async def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a dead connection must not fail the exit
            await self._redis.aclose()


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:120]
