"""The stream workers' Prometheus metrics: throughput, retries, dead letters, batches, lag, model time."""

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from prometheus_client import Counter, Gauge, Histogram
from redis.exceptions import RedisError

T = TypeVar("T")
R = TypeVar("R")
log = logging.getLogger(__name__)
LABELS = ("stream", "group")

PROCESSED = Counter(
    "brandpulse_worker_processed_total", "Stream entries the sink committed and the worker acked.", LABELS
)
RETRIED = Counter(
    "brandpulse_worker_retried_total", "Deliveries to retry: the sink was down or the entry failed.", LABELS
)
DEAD_LETTERED = Counter(
    "brandpulse_worker_dead_lettered_total", "Stream entries moved to the dead-letter stream.", LABELS
)
BATCH_ENTRIES = Histogram(
    "brandpulse_worker_batch_entries",
    "Entries per batch read from the stream.",
    LABELS,
    buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000),
)
BATCH_SECONDS = Histogram(
    "brandpulse_worker_batch_seconds",
    "Seconds from reading a batch to acking it, retries and dead letters included.",
    LABELS,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
STREAM_LAG = Gauge(
    "brandpulse_worker_stream_lag_entries", "Entries in the stream not yet delivered to the group.", LABELS
)
ENRICH_SECONDS = Histogram(
    "brandpulse_enrich_seconds",
    "Seconds one enrichment model takes over one batch.",
    ("model",),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


class Lagging(Protocol):
    """A stream loop that can say how far its group is behind."""

    stream: str
    group: str

    async def lag(self) -> int: ...


def record_batch(
    stream: str, group: str, *, size: int, done: int, retried: int, dead: int, seconds: float
) -> None:
    """Count one processed batch."""
    PROCESSED.labels(stream, group).inc(done)
    RETRIED.labels(stream, group).inc(retried)
    DEAD_LETTERED.labels(stream, group).inc(dead)
    BATCH_ENTRIES.labels(stream, group).observe(size)
    BATCH_SECONDS.labels(stream, group).observe(seconds)


def timed(model: str, run: Callable[[T], R]) -> Callable[[T], R]:
    """`run`, observing its seconds under `model` in the enrichment histogram."""

    def timed_run(batch: T) -> R:
        started = time.perf_counter()
        try:
            return run(batch)
        finally:
            ENRICH_SECONDS.labels(model).observe(time.perf_counter() - started)

    return timed_run


async def watch_lag(loops: Sequence[Lagging], every_s: float = 5.0) -> None:
    """Keep the lag gauge of each loop current (XINFO GROUPS every `every_s`) until cancelled."""
    while True:
        for loop in loops:
            try:
                STREAM_LAG.labels(loop.stream, loop.group).set(await loop.lag())
            except RedisError as error:  # the loop itself reports Redis outages
                log.debug("stream lag not read: %s", error)
        await asyncio.sleep(every_s)
