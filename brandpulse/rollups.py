"""Hourly rollups, recomputed from the base tables for exactly the (brand, hour, source) keys a change hit,
and daily rollups, re-summed from the hours for the (brand, day, source) keys those hours fall in.

A recount inside the writing transaction makes rollups idempotent and always equal to a `GROUP BY` of the
base tables. Concurrent writers (worker replicas) serialise on a transaction-scoped advisory lock per key,
taken in sorted order after their base-table writes, hour keys before day keys, so each recount sees every
committed row and no two writers deadlock. Lock ids are hashes of the keys' names computed by PostgreSQL
(`hashtextextended`), which also sorts them: every writer takes the same locks in the same order.

Key and id sets travel as one JSON text each way (`json_agg` out, `json_to_recordset` in): PostgreSQL
unpacks them in C, where a driver's array encoding cost about 1 us of Python per element.
"""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# Advisory locks by key name, taken in sorted order of lock id so every writer takes them in one order.
LOCK_MENTIONS = text("""
SELECT pg_advisory_xact_lock(lock) FROM (
    SELECT DISTINCT hashtextextended('mention/' || replace(id, '-', ''), 0) AS lock
    FROM json_array_elements_text(CAST(:ids AS json)) AS id ORDER BY 1
) AS locks
""")
LOCK_HOURS = text("""
SELECT pg_advisory_xact_lock(lock) FROM (
    SELECT DISTINCT hashtextextended(
        concat_ws('/', 'rollup', brand_id, extract(epoch FROM hour)::bigint, source), 0
    )
    FROM json_to_recordset(CAST(:keys AS json)) AS k(brand_id bigint, hour timestamptz, source text)
    ORDER BY 1
) AS locks(lock)
""")
LOCK_DAYS = text("""
SELECT pg_advisory_xact_lock(lock) FROM (
    SELECT DISTINCT hashtextextended(concat_ws(
        '/', 'rollup-day', brand_id, extract(epoch FROM date_trunc('day', hour, 'UTC'))::bigint, source
    ), 0)
    FROM json_to_recordset(CAST(:keys AS json)) AS k(brand_id bigint, hour timestamptz, source text)
    ORDER BY 1
) AS locks(lock)
""")

# A recount is an index range scan per key and a primary-key probe per row. Where statistics still
# describe the tables as empty (a new install, after a TRUNCATE) the planner would rather read a whole
# table (or index) per key or row, and keep that plan cached while the table grows: batches ran 10-20x
# slower until autovacuum analysed the tables again. So sequential scans are off for the rest of the
# transaction, and the per-row lookups are LATERAL with LIMIT, which the planner cannot turn into a join.
INDEXES_ONLY = text("SET LOCAL enable_seqscan = off")

RECOUNT = text("""
WITH keys AS (
    SELECT DISTINCT *
    FROM json_to_recordset(CAST(:keys AS json)) AS k(brand_id bigint, hour timestamptz, source text)
)
INSERT INTO hourly_rollups AS r
    (brand_id, hour, source, mentions, positive, neutral, negative, sentiment_score_mean, unique_authors)
SELECT k.brand_id, k.hour, k.source, x.*
FROM keys AS k CROSS JOIN LATERAL (  -- aggregated per key, so an index range scan per key: a join that
    SELECT count(*),                 -- the planner may flatten would read all of mention_brands
           count(*) FILTER (WHERE m.label = 'positive'),
           count(*) FILTER (WHERE m.label = 'neutral'),
           count(*) FILTER (WHERE m.label = 'negative'),
           avg(m.sentiment_score),
           count(DISTINCT m.author)
    FROM (
        SELECT mb.author, coalesce(c.label, e.sentiment_label) AS label, e.sentiment_score
        FROM mention_brands AS mb
        LEFT JOIN LATERAL (  -- LIMIT keeps each lookup a primary-key probe (see INDEXES_ONLY)
            SELECT sentiment_label, sentiment_score FROM enrichments WHERE mention_id = mb.mention_id LIMIT 1
        ) AS e ON TRUE
        LEFT JOIN LATERAL (  -- a person's label wins
            SELECT label FROM sentiment_corrections WHERE mention_id = mb.mention_id LIMIT 1
        ) AS c ON TRUE
        WHERE mb.brand_id = k.brand_id AND mb.source = k.source
          AND mb.published_at >= k.hour AND mb.published_at < k.hour + interval '1 hour'
    ) AS m
    HAVING count(*) > 0
) AS x
ON CONFLICT (brand_id, hour, source) DO UPDATE SET
    mentions = EXCLUDED.mentions, positive = EXCLUDED.positive, neutral = EXCLUDED.neutral,
    negative = EXCLUDED.negative, sentiment_score_mean = EXCLUDED.sentiment_score_mean,
    unique_authors = EXCLUDED.unique_authors, updated_at = now()
""")

RESUM_DAYS = text("""
WITH keys AS (  -- the days the hour keys fall in
    SELECT DISTINCT k.brand_id, date_trunc('day', k.hour, 'UTC') AS day, k.source
    FROM json_to_recordset(CAST(:keys AS json)) AS k(brand_id bigint, hour timestamptz, source text)
)
INSERT INTO daily_rollups AS d
    (brand_id, day, source, mentions, positive, neutral, negative, sentiment_score_mean)
SELECT k.brand_id, k.day, k.source, s.*
FROM keys AS k CROSS JOIN LATERAL (  -- aggregated per key, so a primary-key range scan (a join: every hour)
    SELECT sum(h.mentions), sum(h.positive), sum(h.neutral), sum(h.negative),
           sum(h.sentiment_score_mean * (h.positive + h.neutral + h.negative)) / nullif(
               sum(h.positive + h.neutral + h.negative) FILTER (WHERE h.sentiment_score_mean IS NOT NULL), 0
           )  -- hour means weighted by their labelled mentions
    FROM hourly_rollups AS h
    WHERE h.brand_id = k.brand_id AND h.hour >= k.day AND h.hour < k.day + interval '1 day'
      AND h.source = k.source
    HAVING count(*) > 0
) AS s
ON CONFLICT (brand_id, day, source) DO UPDATE SET
    mentions = EXCLUDED.mentions, positive = EXCLUDED.positive, neutral = EXCLUDED.neutral,
    negative = EXCLUDED.negative, sentiment_score_mean = EXCLUDED.sentiment_score_mean, updated_at = now()
""")

KEYS_OF_MENTIONS = text("""
SELECT CAST(json_agg(k) AS text) FROM (
    SELECT DISTINCT mb.brand_id, date_trunc('hour', mb.published_at, 'UTC') AS hour, mb.source
    FROM json_array_elements_text(CAST(:ids AS json)) AS i(id)
    JOIN mention_brands AS mb ON mb.mention_id = CAST(i.id AS uuid)
) AS k
""")  # a join, not `= ANY(:ids)`: a generic plan's seq scan would test each row against the whole array

KEYS_BETWEEN = text("""
SELECT CAST(json_agg(k) AS text) FROM (
    SELECT DISTINCT mb.brand_id, date_trunc('hour', mb.published_at, 'UTC') AS hour, mb.source
    FROM mentions AS m JOIN mention_brands AS mb ON mb.mention_id = m.id  -- both sides by index
    WHERE m.published_at >= :start AND m.published_at < :end
) AS k
""")

DELETE_ORPHANS = text("""
DELETE FROM hourly_rollups AS r
WHERE r.hour >= :start AND r.hour < :end AND NOT EXISTS (
    SELECT FROM mention_brands AS mb
    WHERE mb.brand_id = r.brand_id AND mb.source = r.source
      AND mb.published_at >= r.hour AND mb.published_at < r.hour + interval '1 hour'
)
""")

DELETE_ORPHAN_DAYS = text("""
DELETE FROM daily_rollups AS d
WHERE d.day >= date_bin('1 day', CAST(:start AS timestamptz), TIMESTAMPTZ '1970-01-01 00:00:00+00')
  AND d.day < :end AND NOT EXISTS (
    SELECT FROM hourly_rollups AS h
    WHERE h.brand_id = d.brand_id AND h.source = d.source
      AND h.hour >= d.day AND h.hour < d.day + interval '1 day'
)
""")

FIRST_MENTION = text("SELECT min(published_at) FROM mentions WHERE published_at >= :since")


def hour_of(moment: datetime) -> datetime:
    """The UTC hour a moment falls in (moments are timezone-aware)."""
    return moment.replace(minute=0, second=0, microsecond=0)


async def recount(connection: AsyncConnection, keys: str | None) -> None:
    """Lock `keys` (JSON objects with brand_id, hour and source, as `json_agg` writes them; None for
    none) for this transaction, rewrite their rollup rows from the base tables, then lock and re-sum the
    days they fall in."""
    if keys is not None:
        for statement in (INDEXES_ONLY, LOCK_HOURS, RECOUNT, LOCK_DAYS, RESUM_DAYS):
            await connection.execute(statement, {"keys": keys})


async def lock_mentions(connection: AsyncConnection, mention_ids: str | None) -> None:
    """Serialise with any other transaction writing these mentions (a JSON array of ids, None for none),
    their enrichments or their corrections.

    A mention and its enrichment arrive on two streams and may be written by two overlapping
    transactions; without this each recount could miss the other's uncommitted row. Taken after the
    base-table writes and before the key locks, in sorted order, so no two writers deadlock.
    """
    if mention_ids is not None:
        await connection.execute(LOCK_MENTIONS, {"ids": mention_ids})


async def recount_mentions(connection: AsyncConnection, mention_ids: str | None) -> None:
    """After writing rows about stored mentions (enrichments, corrections; `mention_ids` a JSON array, None
    for none): lock the mentions, then recount their keys."""
    if mention_ids is not None:
        await lock_mentions(connection, mention_ids)
        keys = (await connection.execute(KEYS_OF_MENTIONS, {"ids": mention_ids})).scalar()
        await recount(connection, keys)  # those not stored yet have no keys


async def rebuild(engine: AsyncEngine, since: datetime, until: datetime) -> AsyncIterator[tuple[int, int]]:
    """Recompute every rollup from `since` to `until`, a day per transaction; yields (days done, days)."""
    async with engine.connect() as connection:
        first = (await connection.execute(FIRST_MENTION, {"since": since})).scalar()
    start, stop = hour_of(max(since, first or until)), hour_of(until) + timedelta(hours=1)
    days = -(-(stop - start) // timedelta(days=1))
    for day in range(days):
        end = min(start + timedelta(days=1), stop)
        async with engine.begin() as connection:
            keys = (await connection.execute(KEYS_BETWEEN, {"start": start, "end": end})).scalar()
            await recount(connection, keys)
            await connection.execute(DELETE_ORPHANS, {"start": start, "end": end})
            await connection.execute(DELETE_ORPHAN_DAYS, {"start": start, "end": end})
        start = end
        yield day + 1, days
