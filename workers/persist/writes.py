"""One batch in one transaction: base-table writes with `ON CONFLICT`, then the rollup recount.

Each statement sends the whole batch as arrays (`unnest`), so a batch costs a handful of round trips
whatever its size. Rows go in mention-id order, so concurrent writers lock rows in the same order.
"""

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from brandpulse.contract import Enrichment, Mention
from workers.persist.clean import without_nul
from workers.persist.rollups import Key, hour_of, keys_of, recount

INSERT_MENTIONS = text("""
INSERT INTO mentions (id, source, external_id, url, title, text, author, lang, published_at, fetched_at, meta)
SELECT u.id, u.source, u.external_id, u.url, u.title, u.text, u.author, u.lang, u.published_at, u.fetched_at,
       CAST(u.meta AS jsonb)
FROM unnest(
    CAST(:id AS uuid[]), CAST(:source AS text[]), CAST(:external_id AS text[]), CAST(:url AS text[]),
    CAST(:title AS text[]), CAST(:text AS text[]), CAST(:author AS text[]), CAST(:lang AS text[]),
    CAST(:published_at AS timestamptz[]), CAST(:fetched_at AS timestamptz[]), CAST(:meta AS text[])
) AS u(id, source, external_id, url, title, text, author, lang, published_at, fetched_at, meta)
ON CONFLICT (id) DO NOTHING
RETURNING id
""")

INSERT_MENTION_BRANDS = text("""
INSERT INTO mention_brands (brand_id, published_at, mention_id)
SELECT * FROM unnest(
    CAST(:brand_id AS bigint[]), CAST(:published_at AS timestamptz[]), CAST(:mention_id AS uuid[])
)
ON CONFLICT DO NOTHING
""")

UPSERT_ENRICHMENTS = text("""
INSERT INTO enrichments AS e (
    mention_id, sentiment_label, sentiment_score, sentiment_probabilities, emotion_label,
    emotion_probabilities, entities, keywords, models, skipped, enriched_at
)
SELECT u.mention_id, u.sentiment_label, u.sentiment_score, CAST(u.sentiment_probabilities AS jsonb),
       u.emotion_label, CAST(u.emotion_probabilities AS jsonb), CAST(u.entities AS jsonb),
       ARRAY(SELECT jsonb_array_elements_text(CAST(u.keywords AS jsonb))), CAST(u.models AS jsonb),
       CAST(u.skipped AS jsonb), u.enriched_at
FROM unnest(
    CAST(:mention_id AS uuid[]), CAST(:sentiment_label AS text[]), CAST(:sentiment_score AS float8[]),
    CAST(:sentiment_probabilities AS text[]), CAST(:emotion_label AS text[]),
    CAST(:emotion_probabilities AS text[]), CAST(:entities AS text[]), CAST(:keywords AS text[]),
    CAST(:models AS text[]), CAST(:skipped AS text[]), CAST(:enriched_at AS timestamptz[])
) AS u(mention_id, sentiment_label, sentiment_score, sentiment_probabilities, emotion_label,
       emotion_probabilities, entities, keywords, models, skipped, enriched_at)
ON CONFLICT (mention_id) DO UPDATE SET
    sentiment_label = EXCLUDED.sentiment_label, sentiment_score = EXCLUDED.sentiment_score,
    sentiment_probabilities = EXCLUDED.sentiment_probabilities, emotion_label = EXCLUDED.emotion_label,
    emotion_probabilities = EXCLUDED.emotion_probabilities, entities = EXCLUDED.entities,
    keywords = EXCLUDED.keywords, models = EXCLUDED.models, skipped = EXCLUDED.skipped,
    enriched_at = EXCLUDED.enriched_at, stored_at = now()
WHERE e.enriched_at < EXCLUDED.enriched_at
RETURNING mention_id
""")


async def write_mentions(connection: AsyncConnection, mentions: Sequence[Mention]) -> None:
    """Insert new mentions and their brands, then recount the rollup keys they add to."""
    unique = sorted({mention.id: mention for mention in mentions}.values(), key=lambda m: m.id)
    if not unique:
        return
    inserted = await connection.execute(INSERT_MENTIONS, _columns([_mention_row(m) for m in unique]))
    new_ids = {row.id.hex for row in inserted}
    new = [mention for mention in unique if mention.id in new_ids]
    links = [(brand_id, m.published_at, m.id) for m in new for brand_id in m.brand_ids]
    if links:
        brand_ids, published, mention_ids = zip(*links, strict=True)
        await connection.execute(
            INSERT_MENTION_BRANDS,
            {"brand_id": list(brand_ids), "published_at": list(published), "mention_id": list(mention_ids)},
        )
    keys: set[Key] = {(b, hour_of(m.published_at), m.source) for m in new for b in m.brand_ids}
    await recount(connection, keys)


async def write_enrichments(connection: AsyncConnection, enrichments: Sequence[Enrichment]) -> None:
    """Upsert enrichments (the newest `enriched_at` wins), then recount the keys of their stored mentions."""
    latest: dict[str, Enrichment] = {}
    for enrichment in enrichments:
        known = latest.get(enrichment.mention_id)
        if known is None or known.enriched_at < enrichment.enriched_at:
            latest[enrichment.mention_id] = enrichment
    rows = [_enrichment_row(latest[mention_id]) for mention_id in sorted(latest)]
    if not rows:
        return
    changed = await connection.execute(UPSERT_ENRICHMENTS, _columns(rows))
    await recount(connection, await keys_of(connection, [row.mention_id.hex for row in changed]))


def _mention_row(mention: Mention) -> dict[str, Any]:
    row: dict[str, Any] = without_nul(
        {
            **mention.model_dump(include={"id", "source", "external_id", "url", "title", "text", "author"}),
            "lang": mention.lang,
            "published_at": mention.published_at,
            "fetched_at": mention.fetched_at,
            "meta": _json(mention.meta),
        }
    )
    return row


def _enrichment_row(enrichment: Enrichment) -> dict[str, Any]:
    sentiment, emotion = enrichment.sentiment, enrichment.emotion
    row: dict[str, Any] = without_nul(
        {
            "mention_id": enrichment.mention_id,
            "sentiment_label": sentiment.label if sentiment else None,
            "sentiment_score": sentiment.score if sentiment else None,
            "sentiment_probabilities": _json(sentiment.probabilities) if sentiment else None,
            "emotion_label": emotion.label if emotion else None,
            "emotion_probabilities": _json(emotion.probabilities) if emotion else None,
            "entities": _json([entity.model_dump() for entity in enrichment.entities]),
            "keywords": _json(list(enrichment.keywords)),
            "models": _json(enrichment.models),
            "skipped": _json(enrichment.skipped),
            "enriched_at": enrichment.enriched_at,
        }
    )
    return row


def _json(value: Any) -> str:
    return json.dumps(without_nul(value), ensure_ascii=False, separators=(",", ":"))


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Rows as one array per column, the shape `unnest` takes."""
    return {name: [row[name] for row in rows] for name in rows[0]}
