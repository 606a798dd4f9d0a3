"""`brandpulse ingest run`: poll every enabled source for every active brand, each on its interval.

Per source, one process at a time polls (a Redis lock with TTL and renewal) and only when the source is
due (its last poll time is in Redis), so replicas share the work without polling twice. Cursors live in
Redis per source and brand and advance only after their page is published. The brand registry is re-read
every tick and the matcher recompiled only when it changed.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from brandpulse.brand_query import Matcher, parse, positive_terms
from brandpulse.brands import BrandPublic, list_brands, queries
from brandpulse.ingest_status import record_fetch
from brandpulse.locks import LockLost, held
from brandpulse.settings import Settings
from ingest.http import SourceUnavailable
from ingest.pipeline import Pipeline
from ingest.sources.base import Source, SourceQuery

log = logging.getLogger(__name__)
PREFIX = "brandpulse:ingest"
TICK_S = 5.0


def cursor_key(source: str, brand_id: int) -> str:
    """Where a source's cursor for a brand is kept."""
    return f"{PREFIX}:cursor:{source}:{brand_id}"


class Scheduler:
    """Polls `sources` for the active brands until `stop()`."""

    def __init__(
        self,
        settings: Settings,
        redis: Redis,
        engine: AsyncEngine,
        pipeline: Pipeline,
        sources: Sequence[Source],
    ) -> None:
        self.settings, self.redis, self.engine, self.pipeline = settings, redis, engine, pipeline
        self.sources = sources
        self.brands: list[BrandPublic] = []
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Finish the page in hand and return from `run`."""
        self._stopping.set()

    async def run(self, *, once: bool = False) -> None:
        """Poll each due source (all at once, each under its lock) every tick; `once` does one round."""
        while not self._stopping.is_set():
            await self.refresh_brands()
            await asyncio.gather(*(self.poll_if_due(source) for source in self.sources))
            if once:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=TICK_S)

    async def refresh_brands(self) -> None:
        """Re-read the active brands; recompile the matcher when they changed."""
        brands = await list_brands(self.engine, active_only=True)
        if brands != self.brands:
            self.pipeline.matcher = Matcher(queries(brands))
            self.brands = brands
            log.info("brand registry: %d active brands", len(brands))

    async def poll_if_due(self, source: Source) -> bool:
        """Poll `source` for every brand if it is due and no other process holds it; True if it polled."""
        due_key = f"{PREFIX}:polled:{source.name}"
        try:
            async with held(
                self.redis, f"{PREFIX}:lock:{source.name}", self.settings.ingest_lock_ttl_ms
            ) as mine:
                last = await self.redis.get(due_key)
                if not mine or (last and time.time() - float(last) < self.settings.ingest_poll_interval_s):
                    return False
                for brand in self.brands:
                    await self.poll(source, brand)
                await self.redis.set(due_key, str(time.time()))
        except LockLost as error:
            log.warning("%s: %s; another process carries on", source.name, error)
            return False
        log.info("%s polled: %s", source.name, self.pipeline.summary())
        return True

    async def poll(self, source: Source, brand: BrandPublic) -> None:
        """One brand on one source: every page published, then its cursor stored; a success is recorded."""
        query = SourceQuery(brand.id, positive_terms(parse(brand.query)), tuple(map(str, brand.feeds)))
        key = cursor_key(source.name, brand.id)
        cursor: bytes | None = await self.redis.get(key)  # type: ignore[assignment]
        try:
            async for page in source.pages(query, cursor.decode() if cursor else None):
                await self.pipeline.ingest(source.name, page.mentions, page.rejected)
                if page.cursor is not None:
                    await self.redis.set(key, page.cursor)
                if self._stopping.is_set():
                    break
        except SourceUnavailable as error:
            log.warning("%s unavailable for brand %s: %s; next poll retries", source.name, brand.slug, error)
            return
        await record_fetch(self.redis, source.name)  # for `GET /api/ingestion`
