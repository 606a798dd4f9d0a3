"""The ingest pipeline on the real Redis + RedisBloom: brands from queries, unmatched dropped, counted."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from redis.asyncio import Redis

from brandpulse.brand_query import Matcher
from brandpulse.contract import Mention, decode
from brandpulse.settings import Settings
from ingest.pipeline import Pipeline
from ingest.publisher import Publisher
from ingest.sources.base import Rejected

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
QUERIES = {1: '("Acme" OR "Acme Corp") -"acme brick"', 2: "Globex", 3: '"Initech" AND printer'}


def post(n: int, text: str, source: str = "news") -> Mention:
    return Mention(source=source, external_id=str(n), text=text, published_at=NOW, fetched_at=NOW)


@pytest.fixture
async def pipeline(settings: Settings, redis: Redis, unique: str) -> AsyncIterator[Pipeline]:
    stream, bloom = f"test:{unique}:raw", f"test:{unique}:seen"
    yield Pipeline(Publisher(redis, settings, stream=stream, bloom_key=bloom), Matcher(QUERIES))
    await redis.delete(stream, bloom)


async def published(redis: Redis, pipeline: Pipeline) -> list[Mention]:
    entries: Any = await redis.xrange(pipeline.publisher._keys[1])
    return [decode(fields, Mention) for _, fields in entries]


async def test_brands_come_from_the_queries_and_unmatched_mentions_are_dropped(
    redis: Redis, pipeline: Pipeline
) -> None:
    await pipeline.ingest(
        "news",
        [
            post(1, "ACME Corp ships a new phone, and Globex answers"),
            post(2, "The acme brick factory in Acme town"),  # excluded phrase
            post(3, "Initech printers jam again"),  # 'printer' is a word of its own: no match
            post(4, "Initech printer jams again"),
            post(5, "Nothing about any brand"),
            post(6, "Nestlé and Acmé"),  # accents fold: Acme matches
        ],
        [Rejected("item-9", "no date")],
    )
    brands = {m.external_id: m.brand_ids for m in await published(redis, pipeline)}
    assert brands == {"1": (1, 2), "4": (3,), "6": (1,)}
    counts = pipeline.counts["news"]
    assert (counts["fetched"], counts["published"], counts["unmatched"], counts["invalid"]) == (6, 3, 3, 1)


async def test_a_mention_seen_before_is_counted_as_a_duplicate(redis: Redis, pipeline: Pipeline) -> None:
    story = "Acme opens a second factory in Lyon, hiring 400 people"
    await pipeline.ingest("news", [post(1, story)])
    await pipeline.ingest("reddit", [post(1, story), post(2, f"  {story.upper()} ", source="reddit")])
    assert len(await published(redis, pipeline)) == 1
    assert pipeline.counts["reddit"]["duplicate"] == 2  # same id, then the same text cross-posted
    assert "reddit: fetched=2 published=0 duplicate=2" in pipeline.summary()
