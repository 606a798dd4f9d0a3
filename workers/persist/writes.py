"""One batch in one transaction: base-table writes with `ON CONFLICT`, then the rollup recount.

Each statement sends the whole batch as one array of JSON documents (the models' own fast serialisation),
unpacked by PostgreSQL, so a batch costs a handful of round trips and little Python whatever its size.
Rows go in mention-id order, so concurrent writers lock rows in the same order.
"""

import json
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from brandpulse.contract import Enrichment, Mention
from brandpulse.rollups import Key, hour_of, keys_of, lock_mentions, recount
from workers.persist.clean import without_nul

INSERT_MENTIONS = text("""
INSERT INTO mentions (id, source, external_id, url, title, text, author, lang, published_at, fetched_at, meta)
SELECT CAST(d->>'id' AS uuid), d->>'source', d->>'external_id', d->>'url', d->>'title', d->>'text',
       d->>'author', d->>'lang', CAST(d->>'published_at' AS timestamptz),
       CAST(d->>'fetched_at' AS timestamptz), d->'meta'
FROM unnest(CAST(:docs AS jsonb[])) AS d
ON CONFLICT (id) DO NOTHING
RETURNING id
""")

INSERT_MENTION_BRANDS = text("""
INSERT INTO mention_brands (brand_id, published_at, mention_id, source, author)
SELECT * FROM unnest(
    CAST(:brand_id AS bigint[]), CAST(:published_at AS timestamptz[]), CAST(:mention_id AS uuid[]),
    CAST(:source AS text[]), CAST(:author AS text[])
)
ON CONFLICT DO NOTHING
""")

UPSERT_ENRICHMENTS = text("""
INSERT INTO enrichments AS e (
    mention_id, sentiment_label, sentiment_score, sentiment_probabilities, emotion_label,
    emotion_probabilities, entities, keywords, models, skipped, enriched_at
)
SELECT CAST(d->>'mention_id' AS uuid), d->'sentiment'->>'label', CAST(d->'sentiment'->>'score' AS float8),
       d->'sentiment'->'probabilities', d->'emotion'->>'label', d->'emotion'->'probabilities', d->'entities',
       ARRAY(SELECT jsonb_array_elements_text(d->'keywords')), d->'models', d->'skipped',
       CAST(d->>'enriched_at' AS timestamptz)
FROM unnest(CAST(:docs AS jsonb[])) AS d
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
    inserted = await connection.execute(INSERT_MENTIONS, {"docs": [document(m) for m in unique]})
    new_ids = {row.id.hex for row in inserted}
    new = [mention for mention in unique if mention.id in new_ids]
    await lock_mentions(connection, new_ids)
    links = [(b, m.published_at, m.id, m.source, without_nul(m.author)) for m in new for b in m.brand_ids]
    if links:
        columns = ("brand_id", "published_at", "mention_id", "source", "author")
        await connection.execute(
            INSERT_MENTION_BRANDS, dict(zip(columns, map(list, zip(*links, strict=True)), strict=True))
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
    if not latest:
        return
    docs = [document(latest[mention_id]) for mention_id in sorted(latest)]
    changed = [row.mention_id.hex for row in await connection.execute(UPSERT_ENRICHMENTS, {"docs": docs})]
    await lock_mentions(connection, changed)  # a transaction storing these mentions commits first
    await recount(connection, await keys_of(connection, changed))


def document(item: Mention | Enrichment) -> str:
    """The item as JSON that `jsonb` accepts: PostgreSQL refuses the NUL character, so it is dropped."""
    doc = item.model_dump_json()
    if "\\u0000" in doc:  # rare: take the slow, exact path
        doc = json.dumps(without_nul(json.loads(doc)), ensure_ascii=False)
    return doc
