"""`/api/ingestion` on the real Redis: stream and group numbers, dead letters the real loop wrote, the
dedupe filter the real publisher fills, fetches the real scheduler records, and replays moved exactly once.
"""

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api import dead_letters
from api.main import create_app
from api.redis_keys import RedisKeys
from brandpulse.brand_query import Matcher
from brandpulse.brands import BrandCreate, add_brand
from brandpulse.contract import ELASTIC_GROUP, PERSIST_GROUP, RAW_STREAM, STREAM_GROUPS, Mention
from brandpulse.ingest_status import fetched_key, last_fetches, record_fetch
from brandpulse.settings import Settings
from ingest.dedupe import dedupe_keys
from ingest.http import SourceUnavailable
from ingest.pipeline import Pipeline
from ingest.publisher import Publisher
from ingest.scheduler import Scheduler
from ingest.sources.base import Page, SourceQuery
from tests.integration.api.conftest import API_KEY
from workers.loop import Fields, LoopConfig, Outcome, StreamWorker
from workers.persist.main import build_workers

NOW = datetime.now(UTC).replace(microsecond=0)
KEY = {"X-API-Key": API_KEY}


@pytest.fixture
async def ops(api_settings: Settings, keys: RedisKeys, redis: Redis) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app reading this test's streams, filter and fetch records."""
    app = create_app(api_settings)
    app.state.redis_keys = keys
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as http,
    ):
        yield http


@pytest.fixture
def fast(api_settings: Settings) -> Settings:
    """Worker settings that do not wait for fuller batches in burst mode."""
    return api_settings.model_copy(update={"persist_flush_after_s": 0.05, "worker_block_ms": 50})


def mentions(unique: str, count: int) -> list[Mention]:
    return [
        Mention(
            source="rss",
            external_id=f"{unique}-{n}",
            url=f"https://news.test/{unique}/{n}",
            title=f"Acme story {n}",
            text=f"Acme did thing number {n} today, and people noticed it.",
            published_at=NOW,
            fetched_at=NOW,
            brand_ids=(1,),
        )
        for n in range(count)
    ]


async def dead_letter_all(redis: Redis, fast: Settings, stream: str, group: str, dead: str) -> None:
    """Run the real stream loop as `group` with a sink that refuses every entry: all are dead-lettered."""

    async def refuse(items: Sequence[tuple[str, Fields]]) -> Outcome:
        return Outcome(done=[], invalid={entry_id: f"{group} sink refused it" for entry_id, _ in items})

    config = LoopConfig.from_settings(fast, 100, 0.05)
    worker = StreamWorker(
        redis,
        stream=stream,
        group=group,
        groups=STREAM_GROUPS[RAW_STREAM],
        decode=lambda fields: fields,
        handle=refuse,
        config=config,
        dead_letters=dead,
    )
    await worker.run(burst=True)


def by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in items}


async def test_status_reports_streams_groups_dead_letters_bloom_and_fetches(
    ops: httpx.AsyncClient, keys: RedisKeys, redis: Redis, pg: AsyncEngine, fast: Settings, unique: str
) -> None:
    raw, enriched = keys.streams
    garbage = [await redis.xadd(raw, {"v": "1", "payload": "not json"}) for _ in range(2)]
    persist = build_workers(fast, redis, pg, raw=raw, enriched=enriched, dead_letters=keys.dead_letters)
    await asyncio.gather(*(worker.run(burst=True) for worker in persist))  # dead-letters both
    published = mentions(unique, 4)
    await Publisher(redis, fast, stream=raw, bloom_key=keys.bloom).publish(published)
    await redis.xreadgroup(ELASTIC_GROUP, "reader", {raw: ">"}, count=3)  # delivered, not acked
    await record_fetch(redis, "rss", at=NOW, prefix=keys.fetched_prefix)

    response = await ops.get("/api/ingestion", params={"latest": 5})

    assert response.status_code == 200
    body = response.json()
    streams = by_name(body["streams"])
    assert streams[raw]["length"] == 6
    groups = by_name(streams[raw]["groups"])
    assert (groups[ELASTIC_GROUP]["pending"], groups[ELASTIC_GROUP]["lag"]) == (3, 3)
    assert (groups[PERSIST_GROUP]["pending"], groups[PERSIST_GROUP]["lag"]) == (0, 4)
    assert streams[enriched]["length"] == 0
    assert [g["name"] for g in streams[enriched]["groups"]] == [PERSIST_GROUP]
    dead = body["dead_letters"]
    assert dead["count"] == 2
    assert [letter["entry_id"] for letter in dead["latest"]] == [i.decode() for i in reversed(garbage)]
    assert all(letter["reason"].startswith("cannot decode") for letter in dead["latest"])
    assert {(letter["stream"], letter["group"]) for letter in dead["latest"]} == {(raw, PERSIST_GROUP)}
    assert datetime.fromisoformat(dead["latest"][0]["at"]) >= NOW
    bloom = body["bloom"]
    assert bloom["items_inserted"] == sum(len(dedupe_keys(m)) for m in published)
    assert (bloom["key"], bloom["capacity"], bloom["filters"]) == (keys.bloom, fast.ingest_bloom_capacity, 1)
    assert body["sources"] == [{"source": "rss", "last_fetch_at": NOW.isoformat().replace("+00:00", "Z")}]


async def test_status_of_nothing_yet(ops: httpx.AsyncClient, keys: RedisKeys) -> None:
    body = (await ops.get("/api/ingestion")).json()
    assert [(s["name"], s["length"], s["groups"]) for s in body["streams"]] == [
        (n, 0, []) for n in keys.streams
    ]
    assert body["dead_letters"]["count"] == 0
    assert body["bloom"] is None
    assert body["sources"] == []


async def test_replay_moves_dead_letters_back_exactly_once(
    ops: httpx.AsyncClient, keys: RedisKeys, redis: Redis, pg: AsyncEngine, fast: Settings, unique: str
) -> None:
    raw, enriched = keys.streams
    await Publisher(redis, fast, stream=raw, bloom_key=keys.bloom).publish(mentions(unique, 3))
    originals = {fields[b"payload"]: fields for _, fields in await redis.xrange(raw)}
    await dead_letter_all(redis, fast, raw, PERSIST_GROUP, keys.dead_letters)
    assert await redis.xlen(keys.dead_letters) == 3

    stale = await dead_letters.oldest(redis, keys.dead_letters, 10)  # what a concurrent replay read

    response = await ops.post("/api/ingestion/dead-letters/replay", json={}, headers=KEY)

    replayed = response.json()["replayed"]
    assert len(replayed) == 3
    assert len({r["dead_letter_id"] for r in replayed}) == 3
    assert {(r["stream"], r["group"]) for r in replayed} == {(raw, PERSIST_GROUP)}
    assert await redis.xlen(keys.dead_letters) == 0
    assert [await dead_letters.replay(redis, keys.dead_letters, letter) for letter in stale] == [None] * 3
    entries: Any = await redis.xrange(raw)
    assert len(entries) == 6
    again = {entry_id.decode(): fields for entry_id, fields in entries[3:]}
    assert set(again) == {r["entry_id"] for r in replayed}
    assert sorted(again.values(), key=str) == sorted(originals.values(), key=str)  # no dlq_* fields
    await asyncio.gather(
        *(w.run(burst=True) for w in build_workers(fast, redis, pg, raw=raw, enriched=enriched))
    )
    async with pg.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM mentions"))).scalar_one() == 3
    nothing = await ops.post("/api/ingestion/dead-letters/replay", headers=KEY)
    assert nothing.json() == {"replayed": [], "skipped": [], "remaining": 0}


async def test_replay_by_ids_group_and_limit(
    ops: httpx.AsyncClient, keys: RedisKeys, redis: Redis, fast: Settings, unique: str
) -> None:
    raw, _ = keys.streams
    await Publisher(redis, fast, stream=raw, bloom_key=keys.bloom).publish(mentions(unique, 2))
    for group in (PERSIST_GROUP, ELASTIC_GROUP):
        await dead_letter_all(redis, fast, raw, group, keys.dead_letters)
    stray = await redis.xadd(keys.dead_letters, {"payload": "x", "dlq_stream": "elsewhere", "dlq_group": "g"})
    letters = {i.decode(): f[b"dlq_group"].decode() for i, f in await redis.xrange(keys.dead_letters)}
    persist_ids = [i for i, group in letters.items() if group == PERSIST_GROUP]
    elastic_ids = [i for i, group in letters.items() if group == ELASTIC_GROUP]

    async def replay(request: dict[str, Any]) -> dict[str, Any]:
        response = await ops.post("/api/ingestion/dead-letters/replay", json=request, headers=KEY)
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        return body

    oldest_elastic = await replay({"group": ELASTIC_GROUP, "limit": 1})
    assert [r["dead_letter_id"] for r in oldest_elastic["replayed"]] == elastic_ids[:1]
    assert oldest_elastic["remaining"] == 4
    picked = await replay({"ids": [persist_ids[1], "1-1", elastic_ids[1]], "group": PERSIST_GROUP})
    assert [r["dead_letter_id"] for r in picked["replayed"]] == [persist_ids[1]]
    assert {s["dead_letter_id"]: s["reason"] for s in picked["skipped"]} == {
        "1-1": "not in the dead-letter stream",
        elastic_ids[1]: "of group 'elastic'",
    }
    refused = await replay({"ids": [stray.decode()]})
    assert refused["replayed"] == []
    assert refused["skipped"][0]["reason"] == "unknown stream 'elsewhere'"
    assert await redis.xlen(raw) == 4  # 2 published + 2 replayed
    assert (
        await ops.post("/api/ingestion/dead-letters/replay", json={"ids": ["1-x"]}, headers=KEY)
    ).status_code == 400


async def test_replay_needs_a_key_and_reads_can(
    ops: httpx.AsyncClient, api_settings: Settings, keys: RedisKeys, redis: Redis
) -> None:
    await redis.xadd(keys.dead_letters, {"payload": "x", "dlq_stream": keys.streams[0], "dlq_group": "g"})
    for headers in ({}, {"X-API-Key": "wrong"}):
        refused = await ops.post("/api/ingestion/dead-letters/replay", headers=headers)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "unauthorized"
    assert await redis.xlen(keys.dead_letters) == 1
    app = create_app(api_settings.model_copy(update={"api_read_requires_key": True}))
    app.state.redis_keys = keys
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as http,
    ):
        assert (await http.get("/api/ingestion")).status_code == 401
        assert (await http.get("/api/ingestion", headers=KEY)).status_code == 200


class OnePageSource:
    """A connector that answers one page, or fails."""

    def __init__(self, name: str, *, fail: bool) -> None:
        self.name, self.fail = name, fail

    async def pages(self, query: SourceQuery, cursor: str | None) -> AsyncIterator[Page]:
        if self.fail:
            raise SourceUnavailable("HTTP 503 after 4 retries")
        mention = Mention(
            source=self.name,
            external_id=f"{query.brand_id}-1",
            text="Acme news",
            published_at=NOW,
            fetched_at=NOW,
        )
        yield Page([mention], [], "1")


async def test_the_scheduler_records_only_successful_fetches(
    fast: Settings, redis: Redis, pg: AsyncEngine, keys: RedisKeys, unique: str
) -> None:
    await add_brand(pg, BrandCreate(slug="acme", name="Acme", query="Acme"))
    answering, failing = OnePageSource(f"up{unique}", fail=False), OnePageSource(f"down{unique}", fail=True)
    publisher = Publisher(redis, fast, stream=keys.streams[0], bloom_key=keys.bloom)
    scheduler = Scheduler(fast, redis, pg, Pipeline(publisher, Matcher({})), [answering, failing])
    try:
        await scheduler.run(once=True)
        fetches = await last_fetches(redis)
    finally:
        names = [s.name for s in (answering, failing)]
        polled = [key for name in names async for key in redis.scan_iter(match=f"brandpulse:ingest:*{name}*")]
        await redis.delete(*polled, keys.streams[0], keys.bloom)
    assert failing.name not in fetches
    assert NOW <= fetches[answering.name] <= datetime.now(UTC)
    assert fetched_key(answering.name).encode() in polled
