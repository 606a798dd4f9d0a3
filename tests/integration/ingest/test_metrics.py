"""The ingest metrics move with the pipeline's counters on the real Redis + RedisBloom."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from brandpulse.brand_query import Matcher
from brandpulse.contract import Mention
from brandpulse.settings import Settings
from ingest.pipeline import Pipeline
from ingest.publisher import Publisher
from ingest.sources.base import Rejected

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def post(n: int, text: str, source: str) -> Mention:
    return Mention(source=source, external_id=str(n), text=text, published_at=NOW, fetched_at=NOW)


@pytest.fixture
async def pipeline(settings: Settings, redis: Redis, unique: str) -> AsyncIterator[Pipeline]:
    stream, bloom = f"test:{unique}:raw", f"test:{unique}:seen"
    yield Pipeline(Publisher(redis, settings, stream=stream, bloom_key=bloom), Matcher({1: "Acme"}))
    await redis.delete(stream, bloom)


def sample(name: str, source: str) -> float:
    return REGISTRY.get_sample_value(name, {"source": source}) or 0.0


async def test_fetched_published_and_dropped_are_counted_by_source(pipeline: Pipeline, unique: str) -> None:
    source = f"test-{unique}"  # a label of this test's own
    page = [post(1, "Acme ships", source), post(2, "Acme again", source), post(3, "no brand", source)]
    await pipeline.ingest(source, page, [Rejected("item-9", "no date")])
    await pipeline.ingest(source, page[:1])  # seen before

    assert sample("brandpulse_ingest_fetched_total", source) == 4
    assert sample("brandpulse_ingest_published_total", source) == 2
    assert sample("brandpulse_ingest_duplicates_total", source) == 1
    assert sample("brandpulse_ingest_unmatched_total", source) == 1
    assert sample("brandpulse_ingest_invalid_total", source) == 1
    assert pipeline.counts[source]["published"] == 2  # the summary line counts the same
