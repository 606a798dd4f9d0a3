"""The workers' metrics move as the real loop processes, retries and dead-letters entries (real Redis)."""

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from brandpulse.contract import InvalidMention
from workers import metrics
from workers.loop import Fields, Handler, LoopConfig, Outcome, RetryLater, StreamWorker


def number(fields: Fields) -> int:
    try:
        return int(fields[b"n"])
    except (KeyError, ValueError):
        raise InvalidMention("field 'n' is not an integer") from None


async def reject_sevens(items: Sequence[tuple[str, int]]) -> Outcome:
    """Commits every number but 7, which it calls invalid."""
    return Outcome(
        done=[entry_id for entry_id, n in items if n != 7],
        invalid={entry_id: "7 is rejected" for entry_id, n in items if n == 7},
    )


@pytest.fixture
async def stream(redis: Redis, unique: str) -> AsyncIterator[str]:
    name = f"test:{unique}:raw"
    yield name
    await redis.delete(name, f"{name}:dead")


def worker(redis: Redis, stream: str, group: str, handle: Handler[int] = reject_sevens) -> StreamWorker[int]:
    return StreamWorker(
        redis,
        stream=stream,
        group=group,
        groups=("one", "two"),
        decode=number,
        handle=handle,
        config=LoopConfig(batch_size=5, flush_after_s=0.05, block_ms=50, retry_max_s=0.05, consumer="c1"),
        dead_letters=f"{stream}:dead",
    )


def sample(name: str, stream: str, group: str) -> float:
    return REGISTRY.get_sample_value(name, {"stream": stream, "group": group}) or 0.0


async def test_processing_moves_the_counters_and_histograms(redis: Redis, stream: str) -> None:
    for n in range(12):
        await redis.xadd(stream, {"n": str(n)})
    await redis.xadd(stream, {"n": "not a number"})

    stats = await worker(redis, stream, "one").run(burst=True)

    assert sample("brandpulse_worker_processed_total", stream, "one") == stats.processed == 11
    assert sample("brandpulse_worker_dead_lettered_total", stream, "one") == 2  # the 7 and the bad entry
    assert sample("brandpulse_worker_batch_entries_sum", stream, "one") == 13
    assert sample("brandpulse_worker_batch_seconds_count", stream, "one") == stats.batches >= 3
    assert sample("brandpulse_worker_retried_total", stream, "one") == 0


async def test_a_sink_outage_counts_retries(redis: Redis, stream: str) -> None:
    calls = 0

    async def down_once(items: Sequence[tuple[str, int]]) -> Outcome:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RetryLater("sink is down")
        return await reject_sevens(items)

    for n in range(3):
        await redis.xadd(stream, {"n": str(n)})
    await worker(redis, stream, "one", down_once).run(burst=True)

    assert sample("brandpulse_worker_retried_total", stream, "one") == 3
    assert sample("brandpulse_worker_processed_total", stream, "one") == 3


async def test_the_lag_gauge_follows_the_group(redis: Redis, stream: str) -> None:
    for n in range(4):
        await redis.xadd(stream, {"n": str(n)})
    ahead, behind = worker(redis, stream, "one"), worker(redis, stream, "two")
    await ahead.run(burst=True)
    await behind.ensure_groups()

    watcher = metrics.watch_lag([ahead, behind], every_s=0.05)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(watcher, timeout=0.2)

    assert sample("brandpulse_worker_stream_lag_entries", stream, "one") == 0
    assert sample("brandpulse_worker_stream_lag_entries", stream, "two") == 4
