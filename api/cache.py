"""A Redis cache for heavy aggregates: a response body stored for `api_cache_ttl_s` under a key hashing the
endpoint and the normalised query, answered with `X-Cache: hit` or `miss`.

Normalised: every list filter sorted and deduplicated (the values of a filter are a set), the brand query
in canonical form (`to_string(parse(q))`, so `Acme  OR beta` and `Acme OR beta` share an entry), and the
window resolved to absolute times. A window that ends now (`last=24h`, or no `until`) is moved forward to
end at the next multiple of the TTL since the epoch: for one TTL every request for "the last 24 hours"
resolves to the same window, so it shares one entry, and the body cached is exactly the answer for that
window. The Elasticsearch alias is part of the key, so apps on different data never share entries.
"""

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final, Literal

from fastapi import Depends, Request, Response
from pydantic import BaseModel
from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.filters import MentionFilters
from brandpulse.brand_query import to_string
from brandpulse.settings import Settings

KEY_PREFIX: Final = "brandpulse:api:cache:v1"
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
WINDOW_FIELDS: Final = frozenset({"q", "since", "until", "last"})
log = logging.getLogger(__name__)


class Cache:
    """The aggregate cache of one app: its Redis, TTL and Elasticsearch alias."""

    def __init__(self, redis: Redis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self.ttl = timedelta(seconds=settings.api_cache_ttl_s)

    def window(self, filters: MentionFilters, now: datetime | None = None) -> tuple[datetime, datetime]:
        """The [start, end) to answer for: `filters.window()`, moved to a TTL boundary when it ends now."""
        start, end = filters.window(self.settings, now)
        if filters.until is not None or not self.ttl:
            return start, end
        shift = EPOCH + -(-(end - EPOCH) // self.ttl) * self.ttl - end  # up to the next boundary
        return (start if filters.since is not None else start + shift), end + shift

    def key(
        self,
        endpoint: str,
        params: MentionFilters,
        window: tuple[datetime, datetime],
        extra: Mapping[str, Any] | None = None,
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

    async def json(self, key: str, compute: Callable[[], Awaitable[BaseModel]]) -> Response:
        """The JSON body cached under `key`, or `compute()`'s, stored for the TTL. Redis failing only
        costs the cache: the answer is computed and the failure logged."""
        if self.ttl:
            cached = await self._get(key)
            if cached is not None:
                return _response(cached, "hit")
        body = (await compute()).model_dump_json().encode()
        if self.ttl:
            await self._set(key, body)
        return _response(body, "miss")

    async def _get(self, key: str) -> bytes | None:
        try:
            found = await self.redis.get(key)
        except RedisError as error:
            log.warning("aggregate cache read failed: %s", error)
            return None
        return found.encode() if isinstance(found, str) else found  # str only with decode_responses

    async def _set(self, key: str, body: bytes) -> None:
        try:
            await self.redis.set(key, body, px=max(1, int(self.ttl / timedelta(milliseconds=1))))
        except RedisError as error:
            log.warning("aggregate cache write failed: %s", error)


def _response(body: bytes, outcome: Literal["hit", "miss"]) -> Response:
    return Response(body, media_type="application/json", headers={"X-Cache": outcome})


async def _cache(request: Request) -> Cache:  # one dependency, not three: each costs CPU per request
    return Cache(request.app.state.redis, request.app.state.settings)


CacheDep = Annotated[Cache, Depends(_cache)]
