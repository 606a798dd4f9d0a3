"""The persist worker process: raw mentions and their enrichments into PostgreSQL until SIGTERM."""

import asyncio
import logging
import signal
from collections.abc import Callable, Sequence

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from brandpulse.clients import postgres_engine, redis_client
from brandpulse.contract import (
    DEAD_LETTER_STREAM,
    ENRICHED_STREAM,
    PERSIST_GROUP,
    RAW_STREAM,
    STREAM_GROUPS,
    Enrichment,
    Mention,
    Payload,
    decode,
)
from brandpulse.settings import Settings
from workers import metrics
from workers.loop import Fields, LoopConfig, Stats, StreamWorker
from workers.persist.handler import PersistHandler, Write
from workers.persist.writes import write_enrichments, write_mentions

log = logging.getLogger(__name__)


def build_workers(
    settings: Settings,
    redis: Redis,
    engine: AsyncEngine,
    *,
    raw: str = RAW_STREAM,
    enriched: str = ENRICHED_STREAM,
    dead_letters: str = DEAD_LETTER_STREAM,
) -> tuple[StreamWorker[Mention], StreamWorker[Enrichment]]:
    """The two stream loops of the persist worker (stream names are parameters so tests can use their own)."""
    config = LoopConfig.from_settings(settings, settings.persist_batch_size, settings.persist_flush_after_s)

    def loop(
        stream: str, groups: Sequence[str], model: type[Payload], write: Write[Payload]
    ) -> StreamWorker[Payload]:
        return StreamWorker(
            redis,
            stream=stream,
            group=PERSIST_GROUP,
            groups=groups,
            decode=_decoder(model),
            handle=PersistHandler(engine, write),
            config=config,
            dead_letters=dead_letters,
        )

    return (
        loop(raw, STREAM_GROUPS[RAW_STREAM], Mention, write_mentions),
        loop(enriched, STREAM_GROUPS[ENRICHED_STREAM], Enrichment, write_enrichments),
    )


def _decoder(model: type[Payload]) -> Callable[[Fields], Payload]:
    return lambda fields: decode(fields, model)


async def run(settings: Settings, *, burst: bool = False) -> list[Stats]:
    """Run both loops until SIGTERM (each finishes and acks its batch); `burst` returns once both drained."""
    redis, engine = redis_client(settings), postgres_engine(settings)
    workers = build_workers(settings, redis, engine)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: [worker.stop() for worker in workers])
    log.info("persist worker %s reading %s and %s", workers[0].config.consumer, RAW_STREAM, ENRICHED_STREAM)
    lag = asyncio.create_task(metrics.watch_lag(workers))
    try:
        return list(await asyncio.gather(*(worker.run(burst=burst) for worker in workers)))
    finally:
        lag.cancel()
        await redis.aclose()
        await engine.dispose()
