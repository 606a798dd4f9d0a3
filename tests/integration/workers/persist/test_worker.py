"""The persist worker on the real Redis and PostgreSQL: ack after commit, redelivery, faults, dead letters."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from brandpulse.contract import PERSIST_GROUP, Enrichment, Mention, encode
from brandpulse.settings import Settings
from brandpulse.stack.postgres_server import PostgresServer
from tests.integration.workers.persist.records import enrichment, mention, rollups_and_recount, rows
from workers.loop import LoopConfig, StreamWorker
from workers.persist.handler import PersistHandler
from workers.persist.main import _decoder, build_workers
from workers.persist.writes import write_mentions


@pytest.fixture
def names(unique: str) -> dict[str, str]:
    return {
        "raw": f"test:{unique}:raw",
        "enriched": f"test:{unique}:enriched",
        "dead_letters": f"test:{unique}:dead",
    }


@pytest.fixture
async def streams(redis: Redis, names: dict[str, str]) -> AsyncIterator[dict[str, str]]:
    yield names
    await redis.delete(*names.values())


def fast(settings: Settings, **knobs: Any) -> Settings:
    defaults = {"persist_batch_size": 25, "persist_flush_after_s": 0.05, "worker_block_ms": 50}
    return settings.model_copy(update={**defaults, "worker_retry_max_s": 0.5, **knobs})


async def publish(redis: Redis, stream: str, items: Sequence[Mention | Enrichment]) -> None:
    async with redis.pipeline(transaction=False) as pipe:
        for item in items:
            pipe.xadd(stream, encode(item))  # type: ignore[arg-type]
        await pipe.execute()


async def drain(settings: Settings, redis: Redis, engine: AsyncEngine, names: dict[str, str]) -> None:
    await asyncio.gather(
        *(worker.run(burst=True) for worker in build_workers(settings, redis, engine, **names))
    )


async def pending(redis: Redis, stream: str) -> int:
    return int((await redis.xpending(stream, PERSIST_GROUP))["pending"])


async def test_both_streams_land_once_and_everything_is_acked(
    migrated: Settings, pg: AsyncEngine, redis: Redis, streams: dict[str, str]
) -> None:
    mentions = [mention(n, minutes=n, brands=(1, 2)) for n in range(60)]
    await publish(redis, streams["enriched"], [enrichment(m) for m in mentions[:40]])
    await publish(redis, streams["raw"], [*mentions, *mentions[:10]])  # ten re-published
    await drain(fast(migrated), redis, pg, streams)
    assert await rows(pg, "SELECT count(*), count(DISTINCT id) FROM mentions") == [(60, 60)]
    rollups, recount = await rollups_and_recount(pg)
    assert rollups == recount
    assert sum(row[4] for row in rollups) == 80
    assert (await pending(redis, streams["raw"]), await pending(redis, streams["enriched"])) == (0, 0)


async def test_a_crash_after_commit_and_before_ack_duplicates_nothing(
    migrated: Settings, pg: AsyncEngine, redis: Redis, streams: dict[str, str]
) -> None:
    mentions = [mention(n) for n in range(30)]
    await publish(redis, streams["raw"], mentions)
    raw_worker, _ = build_workers(fast(migrated), redis, pg, **streams)
    await raw_worker.ensure_groups()
    reply: Any = await redis.xreadgroup(PERSIST_GROUP, "crashed", {streams["raw"]: ">"}, count=30)
    entries = [(entry_id.decode(), raw_worker.decode(fields)) for entry_id, fields in reply[0][1]]
    assert (await PersistHandler(pg, write_mentions)(entries)).done  # committed; then the "crash": no ack
    assert await pending(redis, streams["raw"]) == 30
    survivor = build_workers(fast(migrated, worker_min_idle_ms=1), redis, pg, **streams)
    await asyncio.gather(*(worker.run(burst=True) for worker in survivor))
    assert await rows(pg, "SELECT count(*) FROM mentions") == [(30,)]
    assert await rows(pg, "SELECT sum(mentions) FROM hourly_rollups") == [(30,)]
    assert await pending(redis, streams["raw"]) == 0


async def test_an_entry_that_cannot_be_decoded_is_dead_lettered_with_its_reason(
    migrated: Settings, pg: AsyncEngine, redis: Redis, streams: dict[str, str]
) -> None:
    await publish(redis, streams["raw"], [mention(1)])
    await redis.xadd(streams["raw"], {"v": "1", "payload": "{not json"})
    await redis.xadd(streams["enriched"], {"v": "9", "payload": "{}"})
    await drain(fast(migrated), redis, pg, streams)
    letters: Any = await redis.xrange(streams["dead_letters"])
    reasons = sorted(fields[b"dlq_reason"].decode() for _, fields in letters)
    assert [r.split(":")[0] for r in reasons] == ["cannot decode", "cannot decode"]
    assert "not valid JSON" in reasons[0] + reasons[1]
    assert "unsupported schema version" in reasons[0] + reasons[1]
    assert await rows(pg, "SELECT count(*) FROM mentions") == [(1,)]


async def test_only_the_row_postgres_refuses_is_dead_lettered(
    migrated: Settings, pg: AsyncEngine, redis: Redis, streams: dict[str, str]
) -> None:
    async def write_refusing_seven(connection: AsyncConnection, mentions: Sequence[Mention]) -> None:
        await write_mentions(connection, mentions)
        if any(m.external_id == "post-7" for m in mentions):
            await connection.execute(text("SELECT 1 / 0"))  # a real data error (SQLSTATE 22012)

    await publish(redis, streams["raw"], [mention(n) for n in range(20)])
    worker = StreamWorker(
        redis,
        stream=streams["raw"],
        group=PERSIST_GROUP,
        groups=(PERSIST_GROUP,),
        decode=_decoder(Mention),
        handle=PersistHandler(pg, write_refusing_seven),
        config=LoopConfig(batch_size=20, flush_after_s=0.05, block_ms=50),
        dead_letters=streams["dead_letters"],
    )
    stats = await worker.run(burst=True)
    assert (stats.processed, stats.dead_lettered) == (19, 1)
    letters: Any = await redis.xrange(streams["dead_letters"])
    assert letters[0][1][b"dlq_reason"].decode() == "refused by PostgreSQL: division by zero"
    assert await rows(pg, "SELECT count(*) FROM mentions WHERE external_id <> 'post-7'") == [(19,)]


async def test_postgres_down_mid_run_loses_nothing_once_it_returns(
    settings: Settings, migrated: Settings, pg: AsyncEngine, redis: Redis, streams: dict[str, str]
) -> None:
    server = PostgresServer(settings.postgres_url.get_secret_value(), settings.stack_dir)
    mentions = [mention(n, minutes=n) for n in range(200)]
    workers = build_workers(fast(migrated, postgres_connect_timeout_s=1.0), redis, pg, **streams)
    running = asyncio.gather(*(worker.run() for worker in workers))
    try:
        await publish(redis, streams["raw"], mentions[:100])
        await until(lambda: stored(pg, 100))
        if not await asyncio.to_thread(server.down):
            pytest.skip("PostgreSQL on this port is not run by this checkout's stack; it cannot be stopped")
        try:
            await publish(redis, streams["raw"], mentions[100:])
            await asyncio.sleep(3)
            assert await pending(redis, streams["raw"]) > 0  # delivered, not acked: backing off
        finally:
            await asyncio.to_thread(server.up, settings.stack_start_timeout_s)
        await until(lambda: stored(pg, 200))
        await until(lambda: nothing_pending(redis, streams["raw"]))
    finally:
        for worker in workers:
            worker.stop()
        await running
    rollups, recount = await rollups_and_recount(pg)
    assert rollups == recount
    assert sum(row[3] for row in rollups) == 200


async def stored(engine: AsyncEngine, count: int) -> bool:
    return await rows(engine, "SELECT count(*) FROM mentions") == [(count,)]


async def nothing_pending(redis: Redis, stream: str) -> bool:
    return await pending(redis, stream) == 0


async def until(check: Callable[[], Awaitable[bool]], timeout_s: float = 60.0) -> None:
    """Wait until `check()` holds (polling), or fail after `timeout_s`."""
    async with asyncio.timeout(timeout_s):
        while True:
            try:
                if await check():
                    return
            except (OSError, DBAPIError):
                pass  # the store is restarting
            await asyncio.sleep(0.2)


LOCK_KEYS = 7_000_000_000_000  # advisory lock keys of this test's own (the writers' are 64-bit hashes)
LOCK_MORE = text(
    "SELECT pg_advisory_lock(CAST(:base AS bigint) + k) FROM generate_series(CAST(:start AS int), :end) AS k"
)
UNLOCK = text("SELECT pg_advisory_unlock(CAST(:base AS bigint) + k) FROM generate_series(0, :room - 1) AS k")


@asynccontextmanager
async def lock_table_with_room_for(engine: AsyncEngine, room: int) -> AsyncIterator[None]:
    """Fill PostgreSQL's shared lock table with session advisory locks, then free `room` of them."""
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        held = 0
        while True:
            try:
                await connection.execute(LOCK_MORE, {"base": LOCK_KEYS, "start": held, "end": held + 999})
            except DBAPIError as error:  # out of shared memory: full, the locks taken so far still held
                if getattr(error.orig, "sqlstate", None) != "53200":
                    raise
                break
            held += 1000
        try:
            await connection.execute(UNLOCK, {"base": LOCK_KEYS, "room": room})
            yield
        finally:
            await connection.execute(text("SELECT pg_advisory_unlock_all()"))


async def test_a_batch_too_big_for_the_lock_table_is_written_in_halves(
    migrated: Settings, pg: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    mentions = [mention(n, minutes=n, brands=(1, 2)) for n in range(400)]  # ~420 locks; a half ~210
    entries = [(f"{n}-0", m) for n, m in enumerate(mentions)]
    assert await rows(pg, "SELECT count(*) FROM mentions") == [(0,)]  # the pool's connection, opened now
    async with lock_table_with_room_for(pg, 300):
        outcome = await PersistHandler(pg, write_mentions)(entries)
    assert (len(outcome.done), outcome.invalid) == (400, {})
    assert "out of shared memory writing 400 entries; writing them in halves" in caplog.text
    assert await rows(pg, "SELECT count(*) FROM mentions") == [(400,)]
    rollups, recount = await rollups_and_recount(pg)
    assert rollups == recount
