"""Mentions the real pipeline wrote, once per test session: simulator -> ingest pipeline -> both workers.

The API tests read this data set (read-only); tests that write make their own data.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from elasticsearch import AsyncElasticsearch
from pydantic import SecretStr
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from brandpulse import clients, migrate
from brandpulse.brand_query import Matcher
from brandpulse.brands import BrandPublic, ensure_demo_brands, list_brands, queries
from brandpulse.contract import Mention
from brandpulse.es_indices import ensure_indices, single_index_name
from brandpulse.settings import Settings
from ingest.pipeline import Pipeline
from ingest.publisher import Publisher
from ingest.sources.simulator import SimBrand, SimulatedMentions
from workers.elastic.enrich import Enricher
from workers.elastic.main import build_worker
from workers.persist.main import build_workers

SEED_MENTIONS = 1200
SPAN = timedelta(hours=48)
END = datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Seeded:
    """The seeded data set: settings pointing at it, its brands, and what was published."""

    settings: Settings
    brands: list[BrandPublic]
    published: list[Mention]
    start: datetime
    end: datetime


async def _database(settings: Settings, name: str, *, drop: bool = False) -> None:
    url = make_url(settings.postgres_url.get_secret_value())
    admin = create_async_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    async with admin.connect() as connection:
        statement = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' if drop else f'CREATE DATABASE "{name}"'
        await connection.execute(text(statement))
    await admin.dispose()


@pytest.fixture(scope="session")
async def seeded(settings: Settings, enricher: Enricher) -> AsyncIterator[Seeded]:
    """1,200 simulated mentions over the last 48 hours, published, enriched, indexed and stored."""
    tag = uuid.uuid4().hex[:10]
    url = make_url(settings.postgres_url.get_secret_value()).set(database=f"test_seed_{tag}")
    own = settings.model_copy(
        update={
            "postgres_url": SecretStr(url.render_as_string(False)),
            "es_alias": f"test-seed-{tag}",
            "elastic_batch_size": 64,
            "elastic_flush_after_s": 0.1,
            "persist_flush_after_s": 0.1,
            "worker_block_ms": 50,
        }
    )
    names = {"raw": f"test:seed:{tag}:raw", "enriched": f"test:seed:{tag}:enriched"}
    dead, bloom, live = f"test:seed:{tag}:dead", f"test:seed:{tag}:seen", f"test:seed:{tag}:live"
    await _database(settings, url.database or "")
    await asyncio.to_thread(migrate.upgrade, own)
    redis, engine = clients.redis_client(own), clients.postgres_engine(own)
    es: AsyncElasticsearch = clients.elasticsearch_client(own)
    try:
        await ensure_indices(es, own)
        await ensure_demo_brands(engine)
        brands = await list_brands(engine)
        simulated = SimulatedMentions([SimBrand(b.id, b.name) for b in brands], seed=7)
        start = END - SPAN
        mentions = [simulated.next(start + SPAN * (n + 1) / SEED_MENTIONS) for n in range(SEED_MENTIONS)]
        pipeline = Pipeline(
            Publisher(redis, own, stream=names["raw"], bloom_key=bloom), Matcher(queries(brands))
        )
        matched = [m for m in map(pipeline.attribute, mentions) if m.brand_ids]
        result = await pipeline.publisher.publish(matched)
        elastic = build_worker(own, redis, es, enricher, dead_letters=dead, live=live, **names)
        await elastic.run(burst=True)
        await asyncio.gather(
            *(w.run(burst=True) for w in build_workers(own, redis, engine, dead_letters=dead, **names))
        )
        await es.indices.refresh(index=single_index_name(own))
        published: dict[str, Mention] = {}
        for mention in matched:  # the first of each id went out; exact re-fetches share its id
            if mention.id in result.published:
                published.setdefault(mention.id, mention)
        yield Seeded(own, brands, list(published.values()), start, END)
    finally:
        await es.indices.delete(index=single_index_name(own), ignore_unavailable=True)
        await es.options(ignore_status=404).indices.delete_index_template(name=own.es_alias)
        await redis.delete(*names.values(), dead, bloom)
        await redis.aclose()
        await engine.dispose()
        await es.close()
        await _database(settings, url.database or "", drop=True)
