"""The elastic worker process: load the models, then enrich and index the raw stream until SIGTERM."""

import asyncio
import logging
import signal
from datetime import UTC, datetime

from elasticsearch import AsyncElasticsearch
from redis.asyncio import Redis

from brandpulse.clients import elasticsearch_client, redis_client
from brandpulse.contract import (
    DEAD_LETTER_STREAM,
    ELASTIC_GROUP,
    ENRICHED_STREAM,
    LIVE_CHANNEL,
    RAW_STREAM,
    STREAM_GROUPS,
    Mention,
    decode,
)
from brandpulse.es_indices import ensure_indices
from brandpulse.settings import Settings
from workers import metrics
from workers.elastic.enrich import Enricher
from workers.elastic.handler import ElasticHandler
from workers.elastic.indexer import Indexer
from workers.elastic.retention import apply_retention
from workers.loop import Fields, LoopConfig, Stats, StreamWorker

log = logging.getLogger(__name__)


def decode_mention(fields: Fields) -> Mention:
    """A raw-stream entry as a Mention (InvalidMention when it is not one)."""
    return decode(fields, Mention)


def build_worker(
    settings: Settings,
    redis: Redis,
    es: AsyncElasticsearch,
    enricher: Enricher,
    *,
    raw: str = RAW_STREAM,
    enriched: str = ENRICHED_STREAM,
    dead_letters: str = DEAD_LETTER_STREAM,
    live: str = LIVE_CHANNEL,
) -> StreamWorker[Mention]:
    """The elastic worker's stream loop (stream names are parameters so tests can use their own)."""
    handler = ElasticHandler(
        enricher, Indexer(es, settings), redis, settings, enriched_stream=enriched, live_channel=live
    )
    return StreamWorker(
        redis,
        stream=raw,
        group=ELASTIC_GROUP,
        groups=STREAM_GROUPS[RAW_STREAM],
        decode=decode_mention,
        handle=handler,
        config=LoopConfig.from_settings(
            settings, settings.elastic_batch_size, settings.elastic_flush_after_s
        ),
        dead_letters=dead_letters,
    )


async def run(settings: Settings, *, burst: bool = False) -> Stats:
    """Run the elastic worker until SIGTERM; `burst` returns once the stream is drained."""
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)  # not a line per bulk request
    enricher = await asyncio.to_thread(Enricher.load, settings)
    redis = redis_client(settings)
    async with elasticsearch_client(settings) as es:
        await ensure_indices(es, settings)
        worker = build_worker(settings, redis, es, enricher)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, worker.stop)
        retention = asyncio.create_task(_retention(es, settings))
        lag = asyncio.create_task(metrics.watch_lag([worker]))
        log.info("elastic worker %s reading %s as %s", worker.config.consumer, RAW_STREAM, ELASTIC_GROUP)
        try:
            return await worker.run(burst=burst)
        finally:
            retention.cancel()
            lag.cancel()
            await redis.aclose()


async def _retention(es: AsyncElasticsearch, settings: Settings) -> None:
    """Apply the Elasticsearch retention now and then every tenth of the window (at most hourly)."""
    while settings.es_retention_hours:
        removed = await apply_retention(es, settings, datetime.now(UTC))
        if removed:
            log.info("retention removed %d old documents", removed)
        await asyncio.sleep(min(3600.0, settings.es_retention_hours * 360.0))
