"""The aggregate cache on the real Redis: one computation per key, and stale answers at a TTL boundary.

The computation stands in for an Elasticsearch aggregation (the analytics tests run the real ones).
"""

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from pydantic import BaseModel
from redis.asyncio import Redis

from api.cache import Cache
from api.filters import MentionFilters
from brandpulse.settings import Settings

NOW = datetime(2026, 11, 24, 12, 0, 30, tzinfo=UTC)


class Answer(BaseModel):
    n: int


class Computation:
    """Counts its calls; each call waits for `release` (when set) and answers the next number."""

    def __init__(self, release: asyncio.Event | None = None, fail: bool = False) -> None:
        self.calls, self.release, self.fail = 0, release, fail

    async def __call__(self) -> Answer:
        self.calls += 1
        if self.release is not None:
            await self.release.wait()
        if self.fail:
            raise RuntimeError("Elasticsearch is down")
        return Answer(n=self.calls)


@pytest.fixture
def cache(redis: Redis, settings: Settings, unique: str) -> Cache:
    return Cache(
        redis, settings.model_copy(update={"es_alias": f"test-cache-{unique}", "api_cache_ttl_s": 60})
    )


async def until(check: Callable[[], Awaitable[bool]], timeout_s: float = 5.0) -> None:
    """Wait until `check()` holds (polling), or fail after `timeout_s`."""
    async with asyncio.timeout(timeout_s):
        while True:
            if await check():
                return
            await asyncio.sleep(0.01)


async def joined(compute: Computation, grace_s: float = 0.1) -> None:
    """Once `compute` has started, give the other requests `grace_s` to reach it (a busy CI is slow)."""

    async def started() -> bool:
        return compute.calls > 0

    await until(started)
    await asyncio.sleep(grace_s)


def body(response: object) -> int:
    n: int = json.loads(response.body)["n"]  # type: ignore[attr-defined]
    return n


async def test_concurrent_misses_share_one_computation(cache: Cache, redis: Redis) -> None:
    filters = MentionFilters(since=NOW - timedelta(days=1), until=NOW)
    window = cache.window(filters)
    release = asyncio.Event()
    compute = Computation(release)
    requests = [asyncio.create_task(cache.json("volume", filters, window, compute)) for _ in range(8)]
    await joined(compute)
    release.set()
    answers = await asyncio.gather(*requests)
    assert compute.calls == 1
    assert {(r.headers["x-cache"], body(r)) for r in answers} == {("miss", 1)}
    again = await cache.json("volume", filters, window, compute)
    assert (again.headers["x-cache"], body(again), compute.calls) == ("hit", 1, 1)
    assert 0 < await redis.pttl(cache.key("volume", filters, window)) <= 60_000  # a fixed window: one TTL


async def test_a_client_leaving_does_not_cancel_the_computation_for_the_others(cache: Cache) -> None:
    filters = MentionFilters(since=NOW - timedelta(days=1), until=NOW)
    window = cache.window(filters)
    release = asyncio.Event()
    compute = Computation(release)
    leaving = asyncio.create_task(cache.json("sentiment", filters, window, compute))
    await joined(compute, grace_s=0)  # the leaving request started the computation
    staying = asyncio.create_task(cache.json("sentiment", filters, window, compute))
    await asyncio.sleep(0.1)
    leaving.cancel()
    release.set()
    answer = await staying
    assert (answer.headers["x-cache"], body(answer), compute.calls) == ("miss", 1, 1)
    assert leaving.cancelled()


async def test_a_failed_computation_reaches_its_waiters_and_the_next_request_tries_again(
    cache: Cache,
) -> None:
    filters = MentionFilters(since=NOW - timedelta(days=1), until=NOW)
    window = cache.window(filters)
    release = asyncio.Event()
    failing = Computation(release, fail=True)
    requests = [asyncio.create_task(cache.json("entities", filters, window, failing)) for _ in range(3)]
    await joined(failing)
    release.set()
    results = await asyncio.gather(*requests, return_exceptions=True)
    assert failing.calls == 1
    assert all(isinstance(r, RuntimeError) for r in results)
    answer = await cache.json("entities", filters, window, Computation())
    assert (answer.headers["x-cache"], body(answer)) == ("miss", 1)


async def test_at_a_ttl_boundary_the_previous_window_answers_while_the_next_is_computed(
    cache: Cache, redis: Redis
) -> None:
    last = MentionFilters(last="24h")
    before = cache.window(last, NOW)
    first = await cache.json("distribution", last, before, Computation())
    assert (first.headers["x-cache"], body(first)) == ("miss", 1)
    assert 60_000 < await redis.pttl(cache.key("distribution", last, before)) <= 120_000  # kept two TTLs

    after = cache.window(last, NOW + timedelta(minutes=1))
    assert after == (before[0] + cache.ttl, before[1] + cache.ttl)
    assert cache.previous(last, after) == before
    release = asyncio.Event()
    compute = Computation(release)
    answer = partial(cache.json, "distribution", last, after, compute)
    stale = [await asyncio.wait_for(answer(), 5) for _ in range(3)]  # one that waited would time out
    assert {(r.headers["x-cache"], body(r)) for r in stale} == {("stale", 1)}  # at once, not waiting
    release.set()

    async def stored() -> bool:  # by the background computation
        return bool(await redis.exists(cache.key("distribution", last, after)))

    await until(stored)
    fresh = await cache.json("distribution", last, after, compute)
    assert (fresh.headers["x-cache"], body(fresh), compute.calls) == ("hit", 1, 1)

    since = MentionFilters(since=NOW - timedelta(hours=3))  # a fixed start: only the end moves
    window = cache.window(since, NOW)
    assert cache.previous(since, window) == (window[0], window[1] - cache.ttl)


async def test_without_a_previous_answer_a_moving_window_is_computed(cache: Cache) -> None:
    last = MentionFilters(last="7d", source=["x"])
    answer = await cache.json("sources", last, cache.window(last, NOW), Computation())
    assert (answer.headers["x-cache"], body(answer)) == ("miss", 1)
