"""Human sentiment corrections: a person's label wins over the model's in Elasticsearch and in rollups.

PostgreSQL's `sentiment_corrections` is the record (the rollup recount reads it). Elasticsearch documents
carry the label with `sentiment.corrected` and `sentiment.corrected_at`. The Redis hash `CORRECTIONS_KEY`
(mention id -> the correction as JSON) is what the elastic worker reads when it (re-)indexes a mention, so
a document written after the correction keeps it: call `corrected` for a batch, `apply` each hit.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from elasticsearch import AsyncElasticsearch, BadRequestError, NotFoundError
from pydantic import BaseModel, ConfigDict
from redis.asyncio import Redis

from brandpulse.contract import SentimentLabel, UtcDatetime

CORRECTIONS_KEY: Final = "brandpulse:corrections"  # hash: mention id -> Correction JSON
MAPPING: Final = {"corrected": {"type": "boolean"}, "corrected_at": {"type": "date"}}  # under `sentiment`


class Correction(BaseModel):
    """The label a person gave a mention, and when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: SentimentLabel
    corrected_at: UtcDatetime


async def record(
    redis: Redis,
    mention_id: str,
    label: SentimentLabel,
    corrected_at: datetime,
    *,
    key: str = CORRECTIONS_KEY,
) -> None:
    """Remember the correction of `mention_id` for whoever indexes it later (the last one wins)."""
    correction = Correction(label=label, corrected_at=corrected_at)
    await redis.hset(key, mention_id, correction.model_dump_json())


async def corrected(
    redis: Redis, mention_ids: Iterable[str], *, key: str = CORRECTIONS_KEY
) -> dict[str, Correction]:
    """The corrections among `mention_ids`, by mention id (one HMGET)."""
    ids = list(dict.fromkeys(mention_ids))
    if not ids:
        return {}
    values: list[bytes | str | None] = await redis.hmget(key, ids)
    return {
        mention_id: Correction.model_validate_json(value)
        for mention_id, value in zip(ids, values, strict=True)
        if value is not None
    }


def sentiment_patch(correction: Correction) -> dict[str, Any]:
    """The fields a correction sets under a document's `sentiment` (the model's score stays)."""
    return {"label": correction.label, "corrected": True, "corrected_at": correction.corrected_at.isoformat()}


def apply(document: dict[str, Any], correction: Correction) -> dict[str, Any]:
    """`document` (a mention's `_source`) with `correction` applied; the input is not changed."""
    return {**document, "sentiment": {**(document.get("sentiment") or {}), **sentiment_patch(correction)}}


async def update_document(
    es: AsyncElasticsearch, alias: str, mention_id: str, correction: Correction
) -> bool:
    """Apply `correction` to the indexed document and wait for a refresh; False when it is not indexed.

    An index created before the template had the `sentiment.corrected*` fields refuses them (strict
    mapping): they are added to that index (an additive mapping change) and the update is retried once.
    Transport errors propagate: the caller decides what an unreachable cluster means.
    """
    ids = {"ids": {"values": [mention_id]}}
    found = await es.search(index=alias, query=ids, source=False, size=1, ignore_unavailable=True)
    hits = found["hits"]["hits"]
    if not hits:
        return False
    index, doc = hits[0]["_index"], {"sentiment": sentiment_patch(correction)}
    try:
        await es.update(index=index, id=mention_id, doc=doc, refresh="wait_for")
    except BadRequestError as error:
        if error.error != "strict_dynamic_mapping_exception":
            raise
        await es.indices.put_mapping(index=index, properties={"sentiment": {"properties": MAPPING}})
        await es.update(index=index, id=mention_id, doc=doc, refresh="wait_for")
    except NotFoundError:  # removed (retention) between the search and the update
        return False
    return True
