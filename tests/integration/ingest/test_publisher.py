"""The publisher on the real Redis + RedisBloom: what lands in the stream, and what the result says."""

import asyncio
import random
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from redis.asyncio import Redis

from brandpulse import clients
from brandpulse.contract import Mention, decode, encode
from brandpulse.settings import Settings
from ingest.publisher import Publisher, PublishResult
from tests.integration.ingest.conftest import Keys

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def mention(n: int, **fields: Any) -> Mention:
    defaults: dict[str, Any] = {
        "source": "rss",
        "external_id": f"post-{n}",
        "url": f"https://news.example.com/stories/{n}",
        "text": f"Story {n}: Acme recalls e-bikes over a battery fire risk",
        "published_at": NOW - timedelta(minutes=n),
        "fetched_at": NOW,
    }
    return Mention(**{**defaults, **fields})


def publisher(redis: Redis, settings: Settings, keys: Keys, **knobs: Any) -> Publisher:
    return Publisher(redis, settings, stream=keys.stream, bloom_key=keys.bloom, **knobs)


async def entries(redis: Redis, keys: Keys) -> list[tuple[str, dict[str, str]]]:
    """The stream's entries, decoded: entry id and fields."""
    reply: Any = await redis.xrange(keys.stream)
    return [
        (entry_id.decode(), {k.decode(): v.decode() for k, v in fields.items()}) for entry_id, fields in reply
    ]


async def test_an_entry_decodes_back_to_an_equal_mention(
    redis: Redis, settings: Settings, keys: Keys
) -> None:
    original = mention(
        1,
        title='Acme "recall" \\ update',
        text="Acme rappelle 120 000 vélos 🚲🔥\nligne deux\t\u2028 fin",
        author="Zoë",
        lang="fr",
        published_at=datetime(2026, 4, 30, 23, 59, 59, 123456, tzinfo=timezone(timedelta(hours=2))),
        brand_ids=(7, 3),
        meta={"score": 1.5e16, "tags": ["a", None, True], "nested": {"ü": 1}},
    )

    result = await publisher(redis, settings, keys).publish([original])

    [(entry_id, fields)] = await entries(redis, keys)
    assert result.published == {original.id: entry_id}
    assert fields == encode(original)
    assert decode(fields, Mention) == original


async def test_eight_racing_publishers_publish_each_mention_once(
    redis: Redis, settings: Settings, keys: Keys
) -> None:
    pool = [mention(n) for n in range(2000)]
    rng = random.Random(8)
    shares = [rng.sample(pool, 1000) + rng.sample(pool, 50) for _ in range(8)]  # overlapping, with repeats
    small_batches = settings.model_copy(update={"ingest_publish_batch_size": 25})
    racers = [clients.redis_client(settings) for _ in shares]
    try:
        results = await asyncio.gather(
            *(
                publisher(racer, small_batches, keys).publish(share)
                for racer, share in zip(racers, shares, strict=True)
            )
        )
    finally:
        await asyncio.gather(*(racer.aclose() for racer in racers))

    unique_ids = {m.id for share in shares for m in share}
    published = Counter(mention_id for result in results for mention_id in result.published)
    assert await redis.xlen(keys.stream) == len(unique_ids)
    assert set(published) == unique_ids
    assert max(published.values()) == 1
    for result, share in zip(results, shares, strict=True):
        assert len(result.published) + len(result.duplicates) == len(share)


async def test_mentions_go_out_in_order_across_batches_and_round_trips(
    redis: Redis, settings: Settings, keys: Keys
) -> None:
    mentions = [mention(n) for n in range(100)]
    repeated = mentions[:10]
    tiny = settings.model_copy(update={"ingest_publish_batch_size": 7})

    result = await publisher(redis, tiny, keys, batches_per_round_trip=3).publish(mentions + repeated)

    assert list(result.published) == [m.id for m in mentions]
    assert list(result.published.values()) == [entry_id for entry_id, _ in await entries(redis, keys)]
    assert result.duplicates == [m.id for m in repeated]


async def test_a_mention_too_large_to_travel_is_reported_and_not_marked_seen(
    redis: Redis, settings: Settings, keys: Keys
) -> None:
    too_large = mention(1, text="🔥" * 70_000)  # 280 KB of UTF-8, over the payload limit
    fits = mention(1, text="🔥" * 1000)  # the same post, fetched again with a shorter text

    first = await publisher(redis, settings, keys).publish([too_large, mention(2)])
    second = await publisher(redis, settings, keys).publish([fits])

    assert list(first.invalid) == [too_large.id]
    assert "over the" in first.invalid[too_large.id]
    assert list(first.published) == [mention(2).id]
    assert list(second.published) == [fits.id]
    assert await redis.xlen(keys.stream) == 2


async def test_a_missing_filter_is_created_again(redis: Redis, settings: Settings, keys: Keys) -> None:
    publishing = publisher(redis, settings, keys)
    await publishing.publish([mention(1)])
    await redis.delete(keys.bloom)  # evicted or deleted while the publisher runs

    result = await publishing.publish([mention(2)])

    info = await redis.execute_command("BF.INFO", keys.bloom)  # type: ignore[no-untyped-call]
    assert list(result.published) == [mention(2).id]
    assert info[b"Capacity"] == settings.ingest_bloom_capacity


async def test_a_script_missing_from_the_server_is_loaded_again(
    redis: Redis, settings: Settings, keys: Keys
) -> None:
    publishing = publisher(redis, settings, keys)
    await publishing.publish([mention(1)])
    # As after a restart or failover; SCRIPT FLUSH would do it for every client of the shared Redis.
    publishing._sha = "0" * 40

    result = await publishing.publish([mention(2), mention(1)])

    assert list(result.published) == [mention(2).id]
    assert result.duplicates == [mention(1).id]


async def test_nothing_to_publish(redis: Redis, settings: Settings, keys: Keys) -> None:
    assert await publisher(redis, settings, keys).publish([]) == PublishResult()
    assert await redis.exists(keys.stream) == 0
