"""`Server-Timing` on the real app: waits on each store counted, the API's own cost the rest."""

import asyncio
import re
import time

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from api.timing import _waits, timed_engine

TIMING = re.compile(r"(\w+);dur=([0-9.]+)")


def timing(response: httpx.Response) -> dict[str, float]:
    assert response.status_code == 200, response.text
    return {name: float(value) for name, value in TIMING.findall(response.headers["server-timing"])}


def assert_adds_up(parts: dict[str, float]) -> None:
    assert set(parts) == {"app", "es", "pg", "redis", "total"}
    assert abs(parts["app"] + parts["es"] + parts["pg"] + parts["redis"] - parts["total"]) < 0.05


async def test_a_postgresql_read_counts_its_connection_and_queries_as_pg(
    seeded_client: httpx.AsyncClient,
) -> None:
    parts = timing(await seeded_client.get("/api/mentions", params={"size": 5}))
    assert_adds_up(parts)
    assert parts["pg"] > 0
    assert parts["es"] == 0


async def test_an_elasticsearch_read_counts_es_and_the_cache_counts_redis(
    seeded_client: httpx.AsyncClient,
) -> None:
    path = "/api/elastic/analytics/distribution?last=400d&source=news&source=reddit"
    first = await seeded_client.get(path)
    parts = timing(first)
    assert_adds_up(parts)
    if first.headers["x-cache"] == "miss":
        assert parts["es"] > 0
    again = timing(await seeded_client.get(path))
    assert_adds_up(again)
    assert again["es"] == 0
    assert again["redis"] > 0


async def test_taking_and_returning_a_pooled_connection_count_as_pg(engine: AsyncEngine) -> None:
    timed = timed_engine(engine)
    for _ in range(2):  # a new connection, then a pooled one that is pinged first: no statement either time
        waits: dict[str, float] = {}
        token = _waits.set(waits)
        try:
            async with timed.connect():
                pass
        finally:
            _waits.reset(token)
        assert waits.get("pg", 0) > 0


async def test_the_event_loop_wait_of_a_release_counts_as_pg(engine: AsyncEngine) -> None:
    """SQLAlchemy releases a connection in a task of its own: what runs before that task is PG wait."""
    timed = timed_engine(engine)
    waits: dict[str, float] = {}
    token = _waits.set(waits)
    try:
        async with timed.connect():
            before = waits.get("pg", 0)
            asyncio.get_running_loop().call_soon(time.sleep, 0.05)  # another request's CPU, queued first
    finally:
        _waits.reset(token)
    assert waits["pg"] - before >= 0.05
