"""`rollups rebuild` on the real PostgreSQL: drifted, missing and orphan rollups come back to a recount."""

from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from brandpulse.rollups import rebuild
from tests.integration.workers.persist.records import (
    T0,
    days_and_recount,
    enrichment,
    mention,
    rollups_and_recount,
    rows,
)
from workers.persist.writes import write_enrichments, write_mentions


async def test_rebuild_repairs_every_rollup_from_the_base_tables(pg: AsyncEngine) -> None:
    mentions = [mention(n, minutes=n * 50, brands=(1, 2)) for n in range(80)]  # spans 3 days
    async with pg.begin() as connection:
        await write_mentions(connection, mentions)
        await write_enrichments(connection, [enrichment(m, "negative", score=-0.4) for m in mentions[::2]])
        await connection.execute(text("UPDATE hourly_rollups SET mentions = 99 WHERE brand_id = 1"))
        await connection.execute(
            text("DELETE FROM hourly_rollups WHERE brand_id = 2 AND hour < :t"), {"t": T0 + timedelta(days=1)}
        )
        await connection.execute(
            text("INSERT INTO hourly_rollups VALUES (7, :t, 'news', 5, 0, 0, 0, NULL, 1, now())"), {"t": T0}
        )
    progress = [step async for step in rebuild(pg, T0 - timedelta(days=30), T0 + timedelta(days=4))]
    rollups, recount = await rollups_and_recount(pg)
    assert rollups == recount
    assert len(rollups) == 2 * len({n * 50 // 60 for n in range(80)})
    days, recount_days = await days_and_recount(pg)
    assert days == recount_days
    assert len(days) == 2 * len({(T0 + timedelta(minutes=n * 50)).date() for n in range(80)})
    assert [done for done, _ in progress] == list(range(1, 6))  # from the first mention to `until`, inclusive
    assert {days for _, days in progress} == {5}


async def test_rebuild_since_leaves_earlier_days_alone(pg: AsyncEngine) -> None:
    async with pg.begin() as connection:
        await write_mentions(connection, [mention(n, minutes=n * 60 * 24) for n in range(3)])
        await connection.execute(text("UPDATE hourly_rollups SET mentions = 42"))
    _ = [step async for step in rebuild(pg, T0 + timedelta(days=1), T0 + timedelta(days=3))]
    assert await rows(pg, "SELECT mentions FROM hourly_rollups ORDER BY hour") == [(42,), (1,), (1,)]
