"""The Elasticsearch document of an enriched mention, field for field the `mentions` template."""

from datetime import UTC, datetime
from typing import Any

from brandpulse.contract import Enrichment, Mention


def document(mention: Mention, enrichment: Enrichment, indexed_at: datetime) -> dict[str, Any]:
    """The `_source` of an enriched mention, field for field the `mentions` template's mapping."""
    if enrichment.mention_id != mention.id:
        raise ValueError(f"enrichment of {enrichment.mention_id} does not belong to mention {mention.id}")
    sentiment, emotion = enrichment.sentiment, enrichment.emotion
    return {
        "mention_id": mention.id,
        "source": mention.source,
        "external_id": mention.external_id,
        "url": mention.url,
        "title": mention.title,
        "text": mention.text,
        "author": mention.author,
        "lang": mention.lang,
        "published_at": mention.published_at.isoformat(),
        "fetched_at": mention.fetched_at.isoformat(),
        "enriched_at": enrichment.enriched_at.isoformat(),
        "indexed_at": indexed_at.astimezone(UTC).isoformat(),
        "brand_ids": list(mention.brand_ids),
        "sentiment": {**sentiment.model_dump(), "corrected": False, "corrected_at": None}
        if sentiment
        else None,
        "emotion": emotion.model_dump() if emotion else None,
        "entities": [entity.model_dump() for entity in enrichment.entities],
        "entity_keys": list(dict.fromkeys(entity.key for entity in enrichment.entities)),
        "keywords": list(enrichment.keywords),
        "models": dict(enrichment.models),
        "skipped": dict(enrichment.skipped),
        "meta": mention.meta,
    }
