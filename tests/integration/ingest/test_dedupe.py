"""Dedupe on the real Redis + RedisBloom: each mention, URL and cross-posted story is published once."""

from datetime import UTC, datetime
from typing import Any

import pytest
from redis.asyncio import Redis

from brandpulse.contract import Mention
from brandpulse.settings import Settings
from ingest.dedupe import FILTER_EXPANSION, ensure_filter
from ingest.publisher import Publisher
from tests.integration.ingest.conftest import Keys

STORY = "Acme recalls 120,000 e-bikes over a battery fire risk; the CEO apologises"
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def mention(external_id: str, **fields: Any) -> Mention:
    defaults: dict[str, Any] = {"source": "rss", "text": f"{STORY} (story {external_id})"}
    return Mention(**{**defaults, **fields}, external_id=external_id, published_at=NOW, fetched_at=NOW)


async def bloom_info(redis: Redis, key: str) -> dict[bytes, int]:
    info: dict[bytes, int] = await redis.execute_command("BF.INFO", key)  # type: ignore[no-untyped-call]
    return info


@pytest.fixture
def publisher(redis: Redis, settings: Settings, keys: Keys) -> Publisher:
    return Publisher(redis, settings, stream=keys.stream, bloom_key=keys.bloom)


async def test_the_same_mention_twice_is_published_once(
    publisher: Publisher, redis: Redis, keys: Keys
) -> None:
    first = await publisher.publish([mention("1")])
    again = await publisher.publish([mention("1")])

    assert list(first.published) == [mention("1").id]
    assert again.published == {}
    assert again.duplicates == [mention("1").id]
    assert await redis.xlen(keys.stream) == 1


async def test_a_duplicate_in_the_same_batch_is_caught(
    publisher: Publisher, redis: Redis, keys: Keys
) -> None:
    result = await publisher.publish([mention("1"), mention("2"), mention("1")])

    assert list(result.published) == [mention("1").id, mention("2").id]
    assert result.duplicates == [mention("1").id]
    assert await redis.xlen(keys.stream) == 2


@pytest.mark.parametrize(
    "variant",
    [
        "https://news.example.com/acme-recall?utm_source=reddit&utm_medium=social",
        "https://News.Example.COM/acme-recall/",
        "https://news.example.com:443/acme-recall#comments",
        "https://news.example.com/acme-recall?fbclid=IwAR0x&gclid=abc",
    ],
)
async def test_the_same_url_from_two_sources_is_published_once(
    publisher: Publisher, redis: Redis, keys: Keys, variant: str
) -> None:
    original = mention("1", url="https://news.example.com/acme-recall", text="Acme recalls e-bikes, story 1")
    shared = mention("t3_x", source="reddit", url=variant, text="Look at this: Acme is recalling e-bikes")

    result = await publisher.publish([original, shared])

    assert list(result.published) == [original.id]
    assert result.duplicates == [shared.id]
    assert await redis.xlen(keys.stream) == 1


async def test_other_query_params_make_another_url(publisher: Publisher) -> None:
    first = mention("1", url="https://example.com/news?id=1", text="First story about the Acme recall")
    second = mention("2", url="https://example.com/news?id=2", text="Second story about the Acme recall")

    result = await publisher.publish([first, second])

    assert list(result.published) == [first.id, second.id]


async def test_the_same_text_cross_posted_is_published_once(
    publisher: Publisher, redis: Redis, keys: Keys
) -> None:
    posted = mention(
        "1", source="reddit", url="https://reddit.com/r/ebikes/1", title="Acme recall", text=STORY
    )
    crossposted = mention(
        "2", source="x", url="https://x.com/someone/status/2", text=f"  ACME RECALL\n{STORY.upper()}  "
    )

    result = await publisher.publish([posted])
    again = await publisher.publish([crossposted])

    assert list(result.published) == [posted.id]
    assert again.duplicates == [crossposted.id]
    assert await redis.xlen(keys.stream) == 1


async def test_short_texts_by_different_authors_are_all_published(
    publisher: Publisher, redis: Redis, keys: Keys
) -> None:
    posts = [mention(str(n), source="x", text="Acme is down again", author=f"user{n}") for n in range(3)]

    result = await publisher.publish(posts)

    assert len(result.published) == 3
    assert await redis.xlen(keys.stream) == 3


async def test_ensure_filter_creates_a_scaling_filter_once(redis: Redis, keys: Keys) -> None:
    await ensure_filter(redis, keys.bloom, error_rate=0.01, capacity=1000)
    await ensure_filter(redis, keys.bloom, error_rate=0.001, capacity=5000)  # exists: left as it is

    info = await bloom_info(redis, keys.bloom)
    assert info[b"Capacity"] == 1000
    assert info[b"Expansion rate"] == FILTER_EXPANSION


async def test_the_filter_is_created_with_the_settings(
    publisher: Publisher, redis: Redis, settings: Settings, keys: Keys
) -> None:
    await publisher.publish([mention("1")])

    info = await bloom_info(redis, keys.bloom)
    assert info[b"Capacity"] == settings.ingest_bloom_capacity
    assert info[b"Number of items inserted"] == 2  # id and text


async def test_false_duplicates_stay_within_twice_the_error_rate(
    redis: Redis, settings: Settings, keys: Keys
) -> None:
    count = 100_000
    mentions = [
        mention(str(n), url=f"https://example.com/story/{n}", text=f"Story number {n} about the Acme recall")
        for n in range(count)
    ]
    sized = settings.model_copy(update={"ingest_bloom_capacity": 3 * count})  # three keys a mention
    publisher = Publisher(redis, sized, stream=keys.stream, bloom_key=keys.bloom)

    result = await publisher.publish(mentions)

    assert len(result.published) + len(result.duplicates) == count
    assert len(result.duplicates) <= 2 * settings.ingest_bloom_error_rate * count
    assert await redis.xlen(keys.stream) == len(result.published)
