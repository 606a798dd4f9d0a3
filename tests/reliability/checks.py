"""The fault suite's invariants, checked on what the stores hold, and its result table."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from brandpulse import rollups
from brandpulse.contract import DEAD_LETTER_STREAM, InvalidMention, Mention, decode
from tests.reliability.rig import Rig

Entries = list[tuple[Any, dict[Any, Any]]]
PG_STATE = text("""
SELECT replace(m.id::text, '-', '') AS id, e.mention_id IS NOT NULL AS enriched
FROM mentions AS m LEFT JOIN enrichments AS e ON e.mention_id = m.id
WHERE m.id = ANY(CAST(:ids AS uuid[]))
""")
ROLLUPS = text("""
SELECT brand_id, hour, source, mentions, positive, neutral, negative, unique_authors,
       round(sentiment_score_mean::numeric, 9) AS score  -- a mean's last bits depend on the row order
FROM hourly_rollups ORDER BY brand_id, hour, source
""")
DAYS = text("""
SELECT brand_id, day, source, mentions, positive, neutral, negative, round(sentiment_score_mean::numeric, 9)
FROM daily_rollups ORDER BY brand_id, day, source
""")


@dataclass
class Row:
    """One scenario's line in the table."""

    scenario: str
    published: int
    in_es: int
    in_pg: int
    dead_lettered: int
    max_lag: int
    drain_s: float


TABLE: list[Row] = []


def format_table(rows: list[Row]) -> str:
    """The rows as an aligned text table."""
    head = (
        f"{'scenario':<34}{'published':>10}{'in ES':>8}{'in PG':>8}{'dead-lettered':>15}"
        f"{'max lag':>9}{'drain s':>9}"
    )
    lines = [
        f"{r.scenario:<34}{r.published:>10}{r.in_es:>8}{r.in_pg:>8}{r.dead_lettered:>15}"
        f"{r.max_lag:>9}{r.drain_s:>9.1f}"
        for r in rows
    ]
    return "\n".join([head, *lines])


def mentions_of(entries: Entries) -> tuple[set[str], int]:
    """The ids of the mentions in raw-stream entries, and how many entries were not mentions."""
    ids, invalid = set(), 0
    for _, fields in entries:
        try:
            ids.add(decode(fields, Mention).id)
        except InvalidMention:
            invalid += 1
    return ids, invalid


async def in_elasticsearch(rig: Rig, ids: set[str]) -> Counter[str]:
    """How many documents each id has in the index alias (an enriched document counts; others fail)."""
    counts: Counter[str] = Counter()
    wanted = sorted(ids)
    await rig.es.indices.refresh(index=rig.settings.es_alias)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        response = await rig.es.search(
            index=rig.settings.es_alias,
            query={"terms": {"mention_id": chunk}},
            source_includes=["mention_id", "sentiment"],
            size=2 * len(chunk),
        )
        for hit in response["hits"]["hits"]:
            assert hit["_source"].get("sentiment"), f"{hit['_id']} is indexed without its sentiment"
            counts[hit["_source"]["mention_id"]] += 1
    return counts


async def in_postgres(rig: Rig, ids: set[str]) -> dict[str, bool]:
    """Each stored id among `ids`, and whether its enrichment is stored too."""
    async with rig.engine.connect() as connection:
        rows = await connection.execute(PG_STATE, {"ids": sorted(ids)})
        return {row.id: row.enriched for row in rows}


async def rollups_equal_a_recount(rig: Rig) -> None:
    """The incremental rollups (hours and days) are what a full rebuild from the base tables computes."""
    async with rig.engine.connect() as connection:
        incremental = [*(await connection.execute(ROLLUPS)).all(), *(await connection.execute(DAYS)).all()]
    now = datetime.now(UTC)
    async for _ in rollups.rebuild(rig.engine, now - timedelta(days=3), now + timedelta(days=1)):
        pass
    async with rig.engine.connect() as connection:
        recounted = [*(await connection.execute(ROLLUPS)).all(), *(await connection.execute(DAYS)).all()]
    assert len(incremental) == len(recounted)
    assert [row for row in incremental if row not in recounted] == []


async def dead_letters_since(rig: Rig, last_id: bytes) -> list[dict[bytes, bytes]]:
    """Dead letters written after `last_id`."""
    letters: Any = await rig.redis.xrange(DEAD_LETTER_STREAM, min=b"(" + last_id)
    return [fields for _, fields in letters]


async def verify(
    rig: Rig, entries: Entries, *, not_enriched: frozenset[str] = frozenset()
) -> tuple[int, int, int]:
    """Every mention published is in PostgreSQL once and in Elasticsearch once, enriched (`not_enriched`:
    only in PostgreSQL, unenriched); rollups equal a recount. Returns (mentions, in ES, in PG)."""
    ids, _ = mentions_of(entries)
    es = await in_elasticsearch(rig, ids)
    pg = await in_postgres(rig, ids)
    assert set(pg) == ids, f"{len(ids - set(pg))} mentions missing in PostgreSQL"
    assert {i for i, enriched in pg.items() if not enriched} == not_enriched
    assert set(es) == ids - not_enriched, (
        f"{len(ids - not_enriched - set(es))} mentions missing in Elasticsearch"
    )
    assert max(es.values(), default=1) == 1, "a mention is indexed twice"
    await rollups_equal_a_recount(rig)
    return len(ids), sum(es.values()), len(pg)
