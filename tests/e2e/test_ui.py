"""The built UI in Chromium against the real API on the local stack.

The API reads the session's seeded data set (mentions the simulator published and both workers wrote)
from a database of this test's own, so the browser's writes touch nothing shared. Beside it the real
elastic worker consumes a stream of its own that a simulator feeds, so mentions reach the Live page; a
mention the real stream loop dead-lettered waits on the Pipeline page to be replayed.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from elasticsearch import AsyncElasticsearch
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from api.main import create_app
from api.redis_keys import RedisKeys
from brandpulse import clients
from brandpulse.brand_query import Matcher
from brandpulse.brands import ensure_demo_brands, list_brands, queries
from brandpulse.contract import ELASTIC_GROUP
from brandpulse.es_indices import ensure_indices, single_index_name
from brandpulse.ingest_status import record_fetch
from brandpulse.settings import Settings
from ingest.pipeline import Pipeline
from ingest.publisher import Publisher
from ingest.sources.simulator import SimBrand, SimulatedMentions
from tests.e2e.rig import run_browser, screenshots_since, serve, simulate
from tests.integration.api.seed import Seeded
from tests.integration.api.test_ingestion import dead_letter_all, mentions
from workers.elastic.enrich import Enricher
from workers.elastic.main import build_worker

API_KEY = "e2e-key-0123456789"
PAGES = ("dashboard", "search", "live", "brands", "pipeline", "alerts")


@pytest.fixture
async def engine(migrated: Settings) -> AsyncIterator[AsyncEngine]:
    """The test's own database, with the demo brands under the ids the seeded mentions carry."""
    engine = clients.postgres_engine(migrated)
    await ensure_demo_brands(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def live_settings(migrated: Settings, unique: str, es: AsyncElasticsearch) -> AsyncIterator[Settings]:
    """Settings for the live pipeline: an index alias of its own and short batching delays."""
    own = migrated.model_copy(
        update={"es_alias": f"test-e2e-{unique}", "elastic_flush_after_s": 0.1, "worker_block_ms": 100}
    )
    await ensure_indices(es, own)
    yield own
    await es.indices.delete(index=single_index_name(own), ignore_unavailable=True)
    await es.options(ignore_status=404).indices.delete_index_template(name=own.es_alias)


async def _indexed(
    es: AsyncElasticsearch, settings: Settings, mention_id: str, timeout_s: float = 20
) -> None:
    """Wait until the worker indexed the mention (a replayed dead letter goes the whole way)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        await es.indices.refresh(index=single_index_name(settings))
        found = await es.count(index=settings.es_alias, query={"ids": {"values": [mention_id]}})
        if found["count"] or asyncio.get_running_loop().time() > deadline:
            assert found["count"] == 1, f"the replayed mention {mention_id} was not indexed"
            return
        await asyncio.sleep(0.5)


async def test_every_page_against_the_real_api(
    seeded: Seeded,
    migrated: Settings,
    engine: AsyncEngine,
    live_settings: Settings,
    keys: RedisKeys,
    redis: Redis,
    es: AsyncElasticsearch,
    enricher: Enricher,
    unique: str,
) -> None:
    brands = await list_brands(engine)
    assert [b.id for b in brands] == [b.id for b in seeded.brands]
    raw, enriched = keys.streams
    poisoned = mentions(unique, 1)
    replayed_id = poisoned[0].id
    await Publisher(redis, live_settings, stream=raw, bloom_key=keys.bloom).publish(poisoned)
    await dead_letter_all(redis, live_settings, raw, ELASTIC_GROUP, keys.dead_letters)
    dead = [letter[0].decode() for letter in await redis.xrange(keys.dead_letters)]
    assert len(dead) == 1
    await record_fetch(redis, "news", at=datetime.now(UTC), prefix=keys.fetched_prefix)

    app = create_app(
        seeded.settings.model_copy(
            update={"postgres_url": migrated.postgres_url, "api_keys": [SecretStr(API_KEY)]}
        )
    )
    app.state.redis_keys = keys
    if not any(getattr(route, "name", None) == "ui" for route in app.routes):
        pytest.fail(f"the UI is not built in {seeded.settings.ui_dir}: run `make frontend`")
    worker = build_worker(
        live_settings,
        redis,
        es,
        enricher,
        raw=raw,
        enriched=enriched,
        dead_letters=keys.dead_letters,
        live=keys.live_channel,
    )
    pipeline = Pipeline(
        Publisher(redis, live_settings, stream=raw, bloom_key=keys.bloom), Matcher(queries(brands))
    )
    simulator = SimulatedMentions([SimBrand(b.id, b.name) for b in brands], seed=11)
    working = asyncio.create_task(worker.run())
    feeding = asyncio.create_task(simulate(pipeline, simulator, every_s=0.5))
    try:
        async with serve(app) as base_url:
            run = await run_browser(base_url, API_KEY, {"brands": [b.name for b in brands]})
        await _indexed(es, live_settings, replayed_id)
    finally:
        feeding.cancel()
        worker.stop()
        await asyncio.wait_for(working, 30)

    assert run.created_brand in {b.slug for b in await list_brands(engine)}
    assert run.replayed == dead
    assert not set(dead) & {entry[0].decode() for entry in await redis.xrange(keys.dead_letters)}
    assert set(PAGES) <= screenshots_since(run.seconds + 5)
