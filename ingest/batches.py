"""Feeding the pipeline in batches: a file import and a stream of mentions (the simulator)."""

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from brandpulse.contract import Mention
from ingest.pipeline import Pipeline
from ingest.sources.base import Rejected
from ingest.sources.files import read_mentions

FLUSH_AFTER_S = 0.5
STREAM_BATCH = 500


async def import_file(
    pipeline: Pipeline,
    path: Path,
    batch_size: int,
    stop: asyncio.Event,
    *,
    on_progress: Callable[[int], object] = lambda _: None,
) -> None:
    """Publish a JSONL/CSV file's mentions in batches; bad lines are counted and logged with their number."""
    batch: list[Mention] = []
    rejected: list[Rejected] = []
    done = 0
    for row in read_mentions(path):
        if isinstance(row.item, Mention):
            batch.append(row.item)
        else:
            rejected.append(row.item)
        done = row.bytes_read
        if len(batch) >= batch_size or stop.is_set():
            await pipeline.ingest("file", batch, rejected)
            batch, rejected = [], []
            on_progress(done)
        if stop.is_set():
            break
    await pipeline.ingest("file", batch, rejected)
    on_progress(done)


async def publish_stream(
    pipeline: Pipeline,
    mentions: AsyncIterator[Mention],
    stop: asyncio.Event,
    *,
    on_batch: Callable[[Pipeline], object] = lambda _: None,
) -> None:
    """Publish what `mentions` yields every half second (or 500 mentions) until it ends or `stop`."""
    loop = asyncio.get_running_loop()
    batch: list[Mention] = []
    deadline = loop.time() + FLUSH_AFTER_S
    async for mention in mentions:
        batch.append(mention)
        if len(batch) >= STREAM_BATCH or loop.time() >= deadline or stop.is_set():
            await pipeline.ingest("simulator", batch)
            batch, deadline = [], loop.time() + FLUSH_AFTER_S
            on_batch(pipeline)
        if stop.is_set():
            break
    await pipeline.ingest("simulator", batch)
