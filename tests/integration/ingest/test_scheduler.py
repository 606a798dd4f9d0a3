"""`ingest run`'s scheduler on the real Redis and PostgreSQL: one poller per source, intervals, cursors."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from brandpulse.brand_query import Matcher
from brandpulse.brands import BrandCreate, add_brand
from brandpulse.contract import Mention
from brandpulse.settings import Settings
from ingest.http import SourceUnavailable
from ingest.pipeline import Pipeline
from ingest.publisher import Publisher
from ingest.scheduler import PREFIX, Scheduler, cursor_key
from ingest.sources.base import Page, SourceQuery

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


class ScriptedSource:
    """A connector that answers each poll with two pages numbered after the cursor it is given."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls: list[tuple[int, str | None]] = []
        self.fail = False

    async def pages(self, query: SourceQuery, cursor: str | None) -> AsyncIterator[Page]:
        self.calls.append((query.brand_id, cursor))
        start = int(cursor or 0)
        for page in range(2):
            await asyncio.sleep(0.05)
            if self.fail and page == 1:
                raise SourceUnavailable("HTTP 503 after 4 retries")
            n = start + page
            text = f"{' '.join(query.terms)} story number {n} for brand {query.brand_id}, long enough to hash"
            mention = Mention(source=self.name, external_id=f"{query.brand_id}-{n}", text=text,
                              published_at=NOW, fetched_at=NOW)  # fmt: skip
            yield Page([mention], [], str(n + 1))


@pytest.fixture
async def brands(pg: AsyncEngine) -> None:
    await add_brand(pg, BrandCreate(slug="acme", name="Acme", query='"Acme" -brick'))
    await add_brand(pg, BrandCreate(slug="globex", name="Globex", query="Globex OR Globexcorp"))


@pytest.fixture
async def source(redis: Redis, unique: str) -> AsyncIterator[ScriptedSource]:
    source = ScriptedSource(f"fake{unique}")
    yield source
    keys: Any = await redis.keys(f"{PREFIX}:*:{source.name}*")
    await redis.delete(f"test:{unique}:raw", f"test:{unique}:seen", *keys)


def scheduler(
    settings: Settings, redis: Redis, pg: AsyncEngine, source: ScriptedSource, unique: str
) -> Scheduler:
    publisher = Publisher(redis, settings, stream=f"test:{unique}:raw", bloom_key=f"test:{unique}:seen")
    return Scheduler(settings, redis, pg, Pipeline(publisher, Matcher({})), [source])


@pytest.mark.usefixtures("brands")
async def test_one_process_polls_a_source_however_many_run(
    settings: Settings, redis: Redis, pg: AsyncEngine, source: ScriptedSource, unique: str
) -> None:
    replicas = [scheduler(settings, redis, pg, source, unique) for _ in range(3)]
    for replica in replicas:
        await replica.refresh_brands()
    polled = await asyncio.gather(*(replica.poll_if_due(source) for replica in replicas))
    assert sorted(polled) == [False, False, True]
    assert [brand for brand, _ in source.calls] == [1, 2]  # each brand once
    assert await redis.xlen(f"test:{unique}:raw") == 4  # two pages per brand, each brand attributed


@pytest.mark.usefixtures("brands")
async def test_a_source_is_polled_again_only_when_due_and_from_its_cursor(
    settings: Settings, redis: Redis, pg: AsyncEngine, source: ScriptedSource, unique: str
) -> None:
    polling = scheduler(settings, redis, pg, source, unique)
    await polling.refresh_brands()
    assert await polling.poll_if_due(source)
    assert not await polling.poll_if_due(source)  # within the interval
    assert await redis.get(cursor_key(source.name, 1)) == b"2"
    await redis.delete(f"{PREFIX}:polled:{source.name}")  # the interval has passed
    assert await polling.poll_if_due(source)
    assert source.calls[-2:] == [(1, "2"), (2, "2")]


@pytest.mark.usefixtures("brands")
async def test_a_source_failing_mid_poll_keeps_the_cursor_of_what_was_published(
    settings: Settings, redis: Redis, pg: AsyncEngine, source: ScriptedSource, unique: str
) -> None:
    polling = scheduler(settings, redis, pg, source, unique)
    await polling.refresh_brands()
    source.fail = True
    assert await polling.poll_if_due(source)  # the failure is logged; the poll goes on to the next brand
    assert [brand for brand, _ in source.calls] == [1, 2]
    assert await redis.get(cursor_key(source.name, 1)) == b"1"  # page 0 published, page 1 never came


async def test_the_matcher_follows_the_registry(
    settings: Settings, redis: Redis, pg: AsyncEngine, source: ScriptedSource, unique: str
) -> None:
    polling = scheduler(settings, redis, pg, source, unique)
    await polling.refresh_brands()
    assert polling.pipeline.matcher.match("Acme rocks") == ()
    await add_brand(pg, BrandCreate(slug="acme", name="Acme", query="Acme"))
    await polling.refresh_brands()
    assert polling.pipeline.matcher.match("Acme rocks") == (1,)
    compiled = polling.pipeline.matcher
    await polling.refresh_brands()
    assert polling.pipeline.matcher is compiled  # no change, no recompilation
