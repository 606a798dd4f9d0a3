"""Batch writes and rollups on the real PostgreSQL: idempotent, order-independent, equal to a recount."""

import asyncio
import json
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.queries.postgres import correct_sentiment
from brandpulse.contract import Enrichment, Mention
from brandpulse.rollups import INDEXES_ONLY, RECOUNT
from tests.integration.workers.persist.records import (
    T0,
    days_and_recount,
    enrichment,
    mention,
    rollups_and_recount,
    rows,
)
from workers.persist.writes import write_enrichments, write_mentions


async def write(engine: AsyncEngine, batch: list[Mention | Enrichment]) -> None:
    async with engine.begin() as connection:
        await write_mentions(connection, [item for item in batch if isinstance(item, Mention)])
        await write_enrichments(connection, [item for item in batch if isinstance(item, Enrichment)])


async def counts(engine: AsyncEngine) -> list[tuple[Any, ...]]:
    return await rows(
        engine,
        "SELECT (SELECT count(*) FROM mentions), (SELECT count(*) FROM mention_brands),"
        " (SELECT count(*) FROM enrichments), (SELECT count(*) FROM hourly_rollups)",
    )


async def test_a_batch_delivered_twice_leaves_the_same_rows_and_rollups(pg: AsyncEngine) -> None:
    mentions = [mention(n, minutes=n * 20, brands=(1, 2) if n % 2 else (1,)) for n in range(6)]
    batch: list[Mention | Enrichment] = [*mentions, *(enrichment(m) for m in mentions[:4])]
    await write(pg, batch)
    first = await counts(pg), await rollups_and_recount(pg)
    await write(pg, batch)
    assert (await counts(pg), await rollups_and_recount(pg)) == first
    assert first[0] == [(6, 9, 4, 4)]  # 2 hours x 2 brands
    rollups, recount = first[1]
    assert rollups == recount


async def test_an_enrichment_before_its_mention_is_kept_and_counted_once_both_are_there(
    pg: AsyncEngine,
) -> None:
    first = mention(1)
    await write(pg, [enrichment(first, "negative", score=-0.7)])
    assert await counts(pg) == [(0, 0, 1, 0)]
    await write(pg, [first])
    rollups, recount = await rollups_and_recount(pg)
    assert rollups == recount
    assert [row[3:7] for row in rollups] == [(1, 0, 0, 1)]  # mentions, positive, neutral, negative


async def test_a_newer_enrichment_replaces_an_older_one_and_an_older_one_does_not(pg: AsyncEngine) -> None:
    first = mention(1)
    await write(pg, [first, enrichment(first, "negative", score=-0.5)])
    later = enrichment(first, "positive", at=enrichment(first).enriched_at.replace(hour=10))
    await write(pg, [later])
    await write(pg, [enrichment(first, "neutral", score=0.0)])  # stale redelivery: same time as the first
    assert await rows(pg, "SELECT sentiment_label FROM enrichments") == [("positive",)]
    rollups, recount = await rollups_and_recount(pg)
    assert [row[3:7] for row in rollups] == [(1, 1, 0, 0)]
    assert rollups == recount


async def test_nul_characters_are_dropped_not_refused(pg: AsyncEngine) -> None:
    odd = mention(1, text="Acme\x00 rocks", meta={"k\x00": ["v\x00"]}).model_copy(update={"author": "a\x00b"})
    await write(pg, [odd])
    assert await rows(pg, "SELECT text, meta, author FROM mentions") == [("Acme rocks", {"k": ["v"]}, "ab")]
    assert await rows(pg, "SELECT author FROM mention_brands") == [("ab",)]


async def test_mentions_without_brands_are_stored_but_not_rolled_up(pg: AsyncEngine) -> None:
    await write(pg, [mention(1, brands=())])
    assert await counts(pg) == [(1, 0, 0, 0)]


async def test_concurrent_writers_on_the_same_hours_keep_rollups_exact(pg: AsyncEngine) -> None:
    mentions = [mention(n, minutes=n % 90, brands=(1, 2)) for n in range(120)]
    batches: list[list[Mention | Enrichment]] = [
        [
            *mentions[i::4],
            *(enrichment(m, "negative" if n % 3 else "positive") for n, m in enumerate(mentions[i::4])),
        ]
        for i in range(4)
    ]
    await asyncio.gather(*(write(pg, batch) for batch in batches))
    rollups, recount = await rollups_and_recount(pg)
    assert rollups == recount
    assert sum(row[3] for row in rollups) == 240
    days, recount_days = await days_and_recount(pg)
    assert days == recount_days


items = st.builds(
    lambda n, brands, minutes, source, author, label: (
        mention(n, brands=brands, minutes=minutes, source=source, author=author),
        label,
    ),
    n=st.integers(0, 40),
    brands=st.lists(st.integers(1, 3), max_size=3).map(tuple),
    minutes=st.integers(0, 240),
    source=st.sampled_from(["news", "reddit"]),
    author=st.sampled_from([None, "ann", "bob", "cy"]),
    label=st.sampled_from([None, "negative", "neutral", "positive"]),
)


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.lists(items, max_size=40), batch_size=st.integers(1, 12), enrich_first=st.booleans())
async def test_rollups_equal_a_recount_for_any_data_in_any_batches(
    pg: AsyncEngine, data: list[tuple[Mention, str | None]], batch_size: int, enrich_first: bool
) -> None:
    async with pg.begin() as connection:
        await connection.execute(
            text("TRUNCATE mentions, mention_brands, enrichments, hourly_rollups, daily_rollups")
        )
    mentions = [m for m, _ in data]
    enrichments = [enrichment(m, label, score=0.3) for m, label in data if label]
    stream: list[Mention | Enrichment] = (
        [*enrichments, *mentions] if enrich_first else [*mentions, *enrichments]
    )
    for start in range(0, len(stream), batch_size):
        await write(pg, stream[start : start + batch_size])
    rollups, recount = await rollups_and_recount(pg)
    assert rollups == recount
    days, recount_days = await days_and_recount(pg)
    assert days == recount_days


async def test_a_mention_and_its_enrichment_written_at_once_are_both_counted(pg: AsyncEngine) -> None:
    for round_ in range(8):  # the two streams' transactions overlap in every order
        mentions = [mention(round_ * 100 + n, minutes=n) for n in range(40)]

        async def store(items: list[Mention]) -> None:
            async with pg.begin() as connection:
                await write_mentions(connection, items)

        async def enrich(items: list[Mention]) -> None:
            async with pg.begin() as connection:
                await write_enrichments(connection, [enrichment(m, "negative") for m in items])

        await asyncio.gather(store(mentions), enrich(mentions))
        rollups, recount = await rollups_and_recount(pg)
        assert rollups == recount
    assert sum(row[6] for row in rollups) == 8 * 40  # every mention counted negative


async def test_a_correction_made_while_its_mention_is_stored_is_counted(pg: AsyncEngine) -> None:
    item = mention(900)

    async def correct() -> None:
        async with pg.begin() as connection:
            await correct_sentiment(connection, item.id, "negative", "analyst")

    async with pg.connect() as storing:
        transaction = await storing.begin()
        await write_mentions(storing, [item])
        correcting = asyncio.create_task(correct())
        await asyncio.sleep(0.5)
        assert not correcting.done()  # it waits for the transaction storing the mention
        await transaction.commit()
    await correcting
    rollups, recount = await rollups_and_recount(pg)
    assert rollups == recount
    assert [row[6] for row in rollups if row[2] == item.source] == [1]  # counted negative


def scans(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Every node of an EXPLAIN (FORMAT JSON) plan that reads a table."""
    own = [plan] if "Relation Name" in plan else []
    return own + [node for child in plan.get("Plans", []) for node in scans(child)]


async def test_the_recount_probes_indexes_while_statistics_say_the_tables_are_empty(pg: AsyncEngine) -> None:
    tables = "mentions, mention_brands, enrichments, sentiment_corrections, hourly_rollups, daily_rollups"
    async with pg.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables}"))
        await connection.execute(text(f"ANALYZE {tables}"))  # as on a new install: "empty"
    mentions = [mention(n, minutes=n, brands=(1, 2)) for n in range(300)]
    await write(pg, [*mentions, *(enrichment(m) for m in mentions)])
    keys = json.dumps([{"brand_id": 1, "hour": T0.isoformat(), "source": "news"}])
    async with pg.begin() as connection:
        await connection.execute(INDEXES_ONLY)
        await connection.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))  # what is cached
        explain = text(f"EXPLAIN (FORMAT JSON) {RECOUNT.text}")
        plan = (await connection.execute(explain, {"keys": keys})).scalar_one()[0]["Plan"]
    read = {node["Relation Name"]: node for node in scans(plan) if node["Relation Name"] != "hourly_rollups"}
    assert set(read) == {"mention_brands", "enrichments", "sentiment_corrections"}
    for node in read.values():  # a range scan or a probe per key and row, never a whole table or index
        assert "Index Cond" in node or "Recheck Cond" in node, node
