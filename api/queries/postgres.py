"""Parameterised PostgreSQL statements behind the history, rollup, brand and correction routes.

SQL text is assembled only from the fixed fragments below; every value travels as a bound parameter.
"""

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Row, delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.errors import ApiError
from brandpulse.brands import BrandPublic
from brandpulse.rollups import recount_mentions
from brandpulse.tables import Brand


@contextmanager
def refused_values_as_400() -> Iterator[None]:
    """PostgreSQL refusing a value the client sent (SQLSTATE class 22: a NUL character, a bad escape)
    becomes a 400; every other database error propagates."""
    try:
        yield
    except DBAPIError as error:
        if str(getattr(error.orig, "sqlstate", "")).startswith("22"):
            message = f"PostgreSQL cannot take a value given: {str(error.orig).splitlines()[0]}"
            raise ApiError(400, "invalid_value", message) from error
        raise


# Each row is its `MentionPublic` JSON, built by PostgreSQL: the API then joins the rows of a page instead of
# decoding every column (JSON ones twice) and encoding them again; `published_at` and `id` make the cursor.
COLUMNS = """
CAST(json_build_object(
    'id', translate(CAST(m.id AS text), '-', ''), 'source', m.source, 'external_id', m.external_id,
    'url', m.url, 'title', m.title, 'text', m.text, 'author', m.author, 'lang', m.lang,
    'published_at', m.published_at, 'fetched_at', m.fetched_at,
    'brand_ids', ARRAY(
        SELECT b.brand_id FROM mention_brands AS b WHERE b.mention_id = m.id ORDER BY b.brand_id
    ),
    'sentiment', coalesce(c.label, e.sentiment_label),  -- a person's label wins
    'enrichment', CASE WHEN e.mention_id IS NOT NULL THEN json_build_object(
        'sentiment_label', e.sentiment_label, 'sentiment_score', e.sentiment_score,
        'sentiment_probabilities', e.sentiment_probabilities, 'emotion_label', e.emotion_label,
        'emotion_probabilities', e.emotion_probabilities, 'entities', e.entities, 'keywords', e.keywords,
        'models', e.models, 'enriched_at', e.enriched_at
    ) END,
    'correction', CASE WHEN c.label IS NOT NULL THEN json_build_object(
        'label', c.label, 'corrected_by', c.corrected_by, 'corrected_at', c.corrected_at
    ) END
) AS text) AS doc, m.published_at, m.id
"""
JOINS = """
LEFT JOIN enrichments AS e ON e.mention_id = m.id
LEFT JOIN sentiment_corrections AS c ON c.mention_id = m.id
"""
CONDITIONS = {  # filter name -> condition on m (mentions), e (enrichments), c (corrections)
    "source": "m.source = ANY(CAST(:source AS text[]))",
    "author": "m.author = ANY(CAST(:author AS text[]))",
    "lang": "m.lang = ANY(CAST(:lang AS text[]))",
    "sentiment": "coalesce(c.label, e.sentiment_label) = ANY(CAST(:sentiment AS text[]))",  # a person wins
    "emotion": "e.emotion_label = ANY(CAST(:emotion AS text[]))",
    "entity": "e.entities @> ANY(CAST(:entity AS jsonb[]))",
}

AFTER = "(m.published_at, m.id) < (:after_at, CAST(:after_id AS uuid))"  # keyset: rows after the cursor
AFTER_OF_BRANDS = "(mb.published_at, mb.mention_id) < (:after_at, CAST(:after_id AS uuid))"

# Without a brand: a backward scan of ix_mentions_published_at_id, filters applied on the way.
HISTORY = """
SELECT {columns} FROM mentions AS m {joins}
WHERE m.published_at >= :start AND m.published_at < :end AND {where}
ORDER BY m.published_at DESC, m.id DESC
LIMIT :limit
"""

# With brands: per brand, a backward scan of mention_brands' primary key (brand_id, published_at,
# mention_id), so a rare brand never reads others' rows; the union of each brand's first `limit` holds
# the first `limit` distinct mentions of all of them.
HISTORY_OF_BRANDS = """
WITH page AS (
    SELECT DISTINCT p.published_at, p.mention_id
    FROM unnest(CAST(:brand AS bigint[])) AS wanted(brand_id) CROSS JOIN LATERAL (
        SELECT mb.published_at, mb.mention_id
        FROM mention_brands AS mb JOIN mentions AS m ON m.id = mb.mention_id {joins}
        WHERE mb.brand_id = wanted.brand_id AND mb.published_at >= :start AND mb.published_at < :end
          AND {where}
        ORDER BY mb.published_at DESC, mb.mention_id DESC
        LIMIT :limit
    ) AS p
    ORDER BY p.published_at DESC, p.mention_id DESC
    LIMIT :limit
)
SELECT {columns} FROM page JOIN mentions AS m ON m.id = page.mention_id {joins}
ORDER BY m.published_at DESC, m.id DESC
"""


@dataclass(frozen=True)
class HistoryQuery:
    """What a history page asks for: filters by name (see CONDITIONS), window, position and size."""

    start: datetime
    end: datetime
    limit: int
    brand: Sequence[int] = ()
    filters: dict[str, list[str]] | None = None
    after: tuple[datetime, str] | None = None  # (published_at, mention id) of the last row seen


async def history(engine: AsyncEngine, query: HistoryQuery) -> Sequence[Row[Any]]:
    """Mentions matching `query`, newest first (published_at, then id, descending): rows of
    (doc: the mention's JSON, published_at, id)."""
    filters = {name: values for name, values in (query.filters or {}).items() if values}
    params: dict[str, Any] = {"start": query.start, "end": query.end, "limit": query.limit, **filters}
    if "entity" in filters:
        params["entity"] = [json.dumps([entity_object(key)]) for key in filters["entity"]]
    conditions = ["TRUE", *(CONDITIONS[name] for name in filters)]
    if query.after:
        conditions.append(AFTER_OF_BRANDS if query.brand else AFTER)
        params["after_at"], params["after_id"] = query.after
    if query.brand:
        params["brand"] = list(query.brand)
    statement = (HISTORY_OF_BRANDS if query.brand else HISTORY).format(
        columns=COLUMNS, joins=JOINS, where=" AND ".join(conditions)
    )
    async with engine.connect() as connection:
        return (await connection.execute(text(statement), params)).all()


def entity_object(key: str) -> dict[str, str]:
    """An entity key `TYPE:text` as the object stored in `enrichments.entities` (no colon: no match)."""
    kind, _, name = key.partition(":")
    return {"type": kind, "text": name}


# The rows come back as one JSON array of `RollupPublic` objects built by PostgreSQL (a month of hours for
# one brand is 3,600 rows: decoding and re-encoding them in Python cost more than the query). Whole rows
# (`json_agg(r)`) are about twice as fast to write as `json_build_object` per row.
ROLLUP_ROWS = """
SELECT CAST(coalesce(json_agg(r ORDER BY r.brand_id, r.start, r.source), '[]') AS text)
FROM {{brands}} CROSS JOIN LATERAL (  -- one primary-key range scan per brand
    SELECT h.brand_id, h.source, h.{bucket} AS start, h.mentions, h.positive, h.neutral, h.negative,
           h.sentiment_score_mean, {unique_authors} AS unique_authors
    FROM {table} AS h
    WHERE h.brand_id = wanted.brand_id AND h.{bucket} >= :start AND h.{bucket} < :end AND {{where}}
    OFFSET 0  -- keeps the planner from flattening the per-brand scan into one sequential scan
) AS r
"""
HOURLY = ROLLUP_ROWS.format(bucket="hour", table="hourly_rollups", unique_authors="h.unique_authors")
DAILY = ROLLUP_ROWS.format(  # the days kept beside the hours (`brandpulse.rollups`)
    bucket="day",
    table="daily_rollups",
    unique_authors="NULL::integer",  # distinct authors do not add up across hours
)

GIVEN_BRANDS = "unnest(CAST(:brand AS bigint[])) AS wanted(brand_id)"
# Every brand with rollups, by a skip scan of the primary key: one index probe per distinct brand
# (PostgreSQL 15 has no built-in skip scan).
EVERY_BRAND = """(
    WITH RECURSIVE walk(brand_id) AS (
        SELECT min(brand_id) FROM hourly_rollups
        UNION ALL
        SELECT (SELECT min(h.brand_id) FROM hourly_rollups AS h WHERE h.brand_id > walk.brand_id)
        FROM walk WHERE walk.brand_id IS NOT NULL
    )
    SELECT brand_id FROM walk WHERE brand_id IS NOT NULL
) AS wanted"""


async def rollups(
    engine: AsyncEngine,
    *,
    start: datetime,
    end: datetime,
    interval: Literal["hour", "day"],
    brand: Sequence[int] = (),
    source: Sequence[str] = (),
) -> str:
    """Rollups per brand, bucket and source in [start, end) (bucket-aligned by the caller), as a JSON array
    of `RollupPublic` objects ordered by brand, bucket and source."""
    where = "h.source = ANY(CAST(:source AS text[]))" if source else "TRUE"
    brands = GIVEN_BRANDS if brand else EVERY_BRAND
    statement = (HOURLY if interval == "hour" else DAILY).format(brands=brands, where=where)
    params = {"start": start, "end": end, "brand": list(brand), "source": list(source)}
    async with engine.connect() as connection:
        rows: str = (await connection.execute(text(statement), params)).scalar_one()
    return rows


BRAND_COLUMNS = (Brand.id, Brand.slug, Brand.name, Brand.query, Brand.feeds, Brand.active)


async def read_brand(engine: AsyncEngine, brand_id: int) -> BrandPublic | None:
    """One brand, or None."""
    async with engine.connect() as connection:
        row = (await connection.execute(select(*BRAND_COLUMNS).where(Brand.id == brand_id))).one_or_none()
    return BrandPublic.model_validate(row._asdict()) if row else None


async def update_brand(engine: AsyncEngine, brand_id: int, changes: dict[str, Any]) -> BrandPublic | None:
    """Apply `changes` (column -> value) to a brand; the brand after the change, or None when absent."""
    if not changes:
        return await read_brand(engine, brand_id)
    statement = update(Brand).where(Brand.id == brand_id).values(**changes).returning(*BRAND_COLUMNS)
    async with engine.begin() as connection:
        row = (await connection.execute(statement)).one_or_none()
    return BrandPublic.model_validate(row._asdict()) if row else None


async def delete_brand(engine: AsyncEngine, brand_id: int) -> bool:
    """Delete a brand (its stored mentions and rollups stay); False when there was none."""
    async with engine.begin() as connection:
        return bool((await connection.execute(delete(Brand).where(Brand.id == brand_id))).rowcount)


IS_STORED = text("SELECT EXISTS (SELECT FROM mentions WHERE id = CAST(:id AS uuid))")
MODEL_LABEL = text("SELECT sentiment_label FROM enrichments WHERE mention_id = CAST(:id AS uuid)")
UPSERT_CORRECTION = text("""
INSERT INTO sentiment_corrections AS c (mention_id, label, corrected_by)
VALUES (CAST(:id AS uuid), :label, :corrected_by)
ON CONFLICT (mention_id) DO UPDATE SET
    label = EXCLUDED.label, corrected_by = EXCLUDED.corrected_by, corrected_at = now()
RETURNING c.corrected_at
""")


async def is_stored(connection: AsyncConnection, mention_id: str) -> bool:
    """Whether PostgreSQL holds the mention."""
    return bool((await connection.execute(IS_STORED, {"id": mention_id})).scalar())


async def correct_sentiment(
    connection: AsyncConnection, mention_id: str, label: str, corrected_by: str
) -> tuple[datetime, str | None]:
    """Upsert the correction and recount the mention's rollup keys, in the caller's transaction.

    Returns when it was corrected and the model's label (None when not enriched or not stored yet). A
    mention not stored yet has no keys: the persist worker's recount reads the correction when it comes.
    """
    params = {"id": mention_id, "label": label, "corrected_by": corrected_by}
    corrected_at: datetime = (await connection.execute(UPSERT_CORRECTION, params)).scalar_one()
    await recount_mentions(connection, json.dumps([mention_id]))  # serialised with the persist worker
    model_label = (await connection.execute(MODEL_LABEL, {"id": mention_id})).scalar()
    return corrected_at, model_label
