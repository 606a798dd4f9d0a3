"""One batch in one transaction: base-table writes with `ON CONFLICT`, then the rollup recount.

Each statement sends the whole batch as one JSON array of documents (the models' own fast serialisation),
unpacked by PostgreSQL, which also derives each mention's brand rows and rollup keys: a batch costs a
handful of round trips and little Python whatever its size.
Rows go in mention-id order, so concurrent writers lock rows in the same order.
"""

import json
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from brandpulse.contract import Enrichment, Mention
from brandpulse.rollups import lock_mentions, recount, recount_mentions
from workers.persist.clean import without_nul

INSERT_MENTIONS = text("""
WITH docs AS (
    SELECT d FROM jsonb_array_elements(CAST(:docs AS jsonb)) AS d
), new AS (
    INSERT INTO mentions
        (id, source, external_id, url, title, text, author, lang, published_at, fetched_at, meta)
    SELECT CAST(d->>'id' AS uuid), d->>'source', d->>'external_id', d->>'url', d->>'title', d->>'text',
           d->>'author', d->>'lang', CAST(d->>'published_at' AS timestamptz),
           CAST(d->>'fetched_at' AS timestamptz), d->'meta'
    FROM docs
    ON CONFLICT (id) DO NOTHING
    RETURNING id, source, author, published_at
), links AS (  -- the brands of the mentions this statement inserted
    INSERT INTO mention_brands (brand_id, published_at, mention_id, source, author)
    SELECT CAST(b AS bigint), n.published_at, n.id, n.source, n.author
    FROM new AS n JOIN docs ON CAST(docs.d->>'id' AS uuid) = n.id
    CROSS JOIN jsonb_array_elements_text(docs.d->'brand_ids') AS b
    ORDER BY 3, 1
    ON CONFLICT DO NOTHING
    RETURNING brand_id, published_at, source
)
SELECT (SELECT CAST(json_agg(id) AS text) FROM new) AS ids, (
    SELECT CAST(json_agg(k) AS text) FROM (
        SELECT DISTINCT brand_id, date_trunc('hour', published_at, 'UTC') AS hour, source FROM links
    ) AS k
) AS keys
""")

UPSERT_ENRICHMENTS = text("""
WITH changed AS (
    INSERT INTO enrichments AS e (
        mention_id, sentiment_label, sentiment_score, sentiment_probabilities, emotion_label,
        emotion_probabilities, entities, keywords, models, skipped, enriched_at
    )
    SELECT CAST(d->>'mention_id' AS uuid), d->'sentiment'->>'label', CAST(d->'sentiment'->>'score' AS float8),
           d->'sentiment'->'probabilities', d->'emotion'->>'label', d->'emotion'->'probabilities',
           d->'entities',
           ARRAY(SELECT jsonb_array_elements_text(d->'keywords')), d->'models', d->'skipped',
           CAST(d->>'enriched_at' AS timestamptz)
    FROM jsonb_array_elements(CAST(:docs AS jsonb)) AS d
    ON CONFLICT (mention_id) DO UPDATE SET
        sentiment_label = EXCLUDED.sentiment_label, sentiment_score = EXCLUDED.sentiment_score,
        sentiment_probabilities = EXCLUDED.sentiment_probabilities, emotion_label = EXCLUDED.emotion_label,
        emotion_probabilities = EXCLUDED.emotion_probabilities, entities = EXCLUDED.entities,
        keywords = EXCLUDED.keywords, models = EXCLUDED.models, skipped = EXCLUDED.skipped,
        enriched_at = EXCLUDED.enriched_at, stored_at = now()
    WHERE e.enriched_at < EXCLUDED.enriched_at
    RETURNING mention_id
)
SELECT CAST(json_agg(mention_id) AS text) FROM changed
""")


async def write_mentions(connection: AsyncConnection, mentions: Sequence[Mention]) -> None:
    """Insert new mentions and their brands, then recount the rollup keys they add to."""
    unique = sorted({mention.id: mention for mention in mentions}.values(), key=lambda m: m.id)
    if unique:
        new = (await connection.execute(INSERT_MENTIONS, {"docs": documents(unique)})).one()
        await lock_mentions(connection, new.ids)
        await recount(connection, new.keys)


async def write_enrichments(connection: AsyncConnection, enrichments: Sequence[Enrichment]) -> None:
    """Upsert enrichments (the newest `enriched_at` wins), then recount the keys of their stored mentions."""
    latest: dict[str, Enrichment] = {}
    for enrichment in enrichments:
        known = latest.get(enrichment.mention_id)
        if known is None or known.enriched_at < enrichment.enriched_at:
            latest[enrichment.mention_id] = enrichment
    if latest:
        docs = documents([latest[mention_id] for mention_id in sorted(latest)])
        changed = (await connection.execute(UPSERT_ENRICHMENTS, {"docs": docs})).scalar()
        await recount_mentions(connection, changed)  # a transaction storing these mentions commits first


def documents(items: Sequence[Mention | Enrichment]) -> str:
    """The items as one JSON array that `jsonb` accepts: PostgreSQL refuses the NUL character, so it is
    dropped."""
    return "[" + ",".join(map(document, items)) + "]"


def document(item: Mention | Enrichment) -> str:
    """One item as JSON, without NUL characters."""
    doc = item.model_dump_json()
    if "\\u0000" in doc:  # rare: take the slow, exact path
        doc = json.dumps(without_nul(json.loads(doc)), ensure_ascii=False)
    return doc
