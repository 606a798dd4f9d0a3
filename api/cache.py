"""A Redis cache for heavy aggregates: a response body stored under a key hashing the endpoint and the
normalised query, answered with `X-Cache: hit`, `miss` or `stale`.

Normalised: every list filter sorted and deduplicated (the values of a filter are a set), the brand query
in canonical form (`to_string(parse(q))`, so `Acme  OR beta` and `Acme OR beta` share an entry), and the
window resolved to absolute times. A window that ends now (`last=24h`, or no `until`) is moved forward to
end at the next multiple of the TTL since the epoch: for one TTL every request for "the last 24 hours"
resolves to the same window, so it shares one entry, computed at most one TTL before that window ends.
The Elasticsearch alias is part of the key, so apps on different data never share entries.

At a TTL boundary every such window moves at once, so every dashboard misses together. Two things keep
that from stalling them and from multiplying the work:
- one computation per key and process: requests missing a key that is being computed wait for that
  computation instead of starting their own (and a client that leaves does not cancel it for the others);
- stale while revalidating: an entry of a moving window is kept for two TTLs, and a miss on the next
  window is answered at once with the previous window's body (`X-Cache: stale`; the body names its window,
  at most one TTL older) while the new one is computed in the background.
"""

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Annotated, Any, Final, Literal

from fastapi import Depends, Request, Response
from pydantic import BaseModel
from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.filters import MentionFilters
from api.timing import add_wait
from brandpulse.brand_query import to_string
from brandpulse.settings import Settings

KEY_PREFIX: Final = "brandpulse:api:cache:v1"
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
WINDOW_FIELDS: Final = frozenset({"q", "since", "until", "last"})
log = logging.getLogger(__name__)
Window = tuple[datetime, datetime]
Compute = Callable[[], Awaitable[BaseModel]]


class Cache:
    """The aggregate cache of one app: its Redis, TTL, Elasticsearch alias and computations under way."""

    def __init__(self, redis: Redis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self.ttl = timedelta(seconds=settings.api_cache_ttl_s)
        self._computing: dict[str, asyncio.Task[bytes]] = {}

    def window(self, filters: MentionFilters, now: datetime | None = None) -> Window:
        """The [start, end) to answer for: `filters.window()`, moved to a TTL boundary when it ends now."""
        start, end = filters.window(self.settings, now)
        if filters.until is not None or not self.ttl:
            return start, end
        shift = EPOCH + -(-(end - EPOCH) // self.ttl) * self.ttl - end  # up to the next boundary
        return (start if filters.since is not None else start + shift), end + shift

    def previous(self, filters: MentionFilters, window: Window) -> Window:
        """The window that `window` (from `self.window(filters)`, ending now) was one TTL ago."""
        start, end = window
        return (start if filters.since is not None else start - self.ttl), end - self.ttl

    def key(
        self, endpoint: str, params: MentionFilters, window: Window, extra: Mapping[str, Any] | None = None
    ) -> str:
        """The Redis key of `endpoint` answering `params` over `window` (and `extra`, e.g. a setting)."""
        data = params.model_dump(mode="json", exclude=set(WINDOW_FIELDS))
        node = params.query()
        query = {
            "params": {name: sorted(set(v)) if isinstance(v, list) else v for name, v in data.items()},
            "q": to_string(node) if node is not None else None,
            "window": [moment.isoformat() for moment in window],
            "extra": dict(extra or {}),
        }
        digest = hashlib.sha256(json.dumps(query, sort_keys=True).encode()).hexdigest()
        return f"{KEY_PREFIX}:{self.settings.es_alias}:{endpoint}:{digest}"

    async def json(
        self,
        endpoint: str,
        params: MentionFilters,
        window: Window,
        compute: Compute,
        extra: Mapping[str, Any] | None = None,
    ) -> Response:
        """The JSON body of `endpoint` for `params` over `window` (from `self.window(params)`): cached, the
        previous window's while this one is computed (a moving window), or `compute()`'s. Redis failing
        only costs the cache: the answer is computed and the failure logged."""
        if not self.ttl:
            return _response((await compute()).model_dump_json().encode(), "miss")
        key = self.key(endpoint, params, window, extra)
        cached = await self._get(key)
        if cached is not None:
            return _response(cached, "hit")
        moving = params.until is None
        keep = self.ttl * 2 if moving else self.ttl  # a moving window's entry also answers the next one
        if moving:
            stale = await self._get(self.key(endpoint, params, self.previous(params, window), extra))
            if stale is not None:
                self._computation(key, compute, keep)
                return _response(stale, "stale")
        task, mine = self._computation(key, compute, keep)
        started = time.perf_counter()
        body = await asyncio.shield(task)  # a client leaving does not cancel it for the others
        if not mine:  # waited on another request's computation: Elasticsearch, which every aggregate reads
            add_wait("es", time.perf_counter() - started)
        return _response(body, "miss")

    def _computation(self, key: str, compute: Compute, keep: timedelta) -> tuple[asyncio.Task[bytes], bool]:
        """The computation of `key` under way, or a new one storing its body for `keep`; and whether new."""
        task = self._computing.get(key)
        if task is not None:
            return task, False
        task = asyncio.create_task(self._compute(key, compute, keep))
        self._computing[key] = task
        task.add_done_callback(partial(self._done, key))
        return task, True

    async def _compute(self, key: str, compute: Compute, keep: timedelta) -> bytes:
        body = (await compute()).model_dump_json().encode()
        await self._set(key, body, keep)
        return body

    def _done(self, key: str, task: asyncio.Task[bytes]) -> None:
        del self._computing[key]
        if not task.cancelled() and (error := task.exception()) is not None:  # also for a stale answer's
            log.warning("computing the aggregate %s failed: %r", key.rsplit(":", 2)[-2], error)

    async def _get(self, key: str) -> bytes | None:
        try:
            found = await self.redis.get(key)
        except RedisError as error:
            log.warning("aggregate cache read failed: %s", error)
            return None
        return found.encode() if isinstance(found, str) else found  # str only with decode_responses

    async def _set(self, key: str, body: bytes, keep: timedelta) -> None:
        try:
            await self.redis.set(key, body, px=max(1, int(keep / timedelta(milliseconds=1))))
        except RedisError as error:
            log.warning("aggregate cache write failed: %s", error)


def _response(body: bytes, outcome: Literal["hit", "miss", "stale"]) -> Response:
    return Response(body, media_type="application/json", headers={"X-Cache": outcome})


async def _cache(request: Request) -> Cache:  # one dependency, not three: each costs CPU per request
    cache: Cache = request.app.state.cache
    return cache


CacheDep = Annotated[Cache, Depends(_cache)]
