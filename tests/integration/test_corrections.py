"""`brandpulse.corrections` on the real Redis and Elasticsearch: the record the elastic worker reads, and the
document update (also on an index made before the template had the `sentiment.corrected*` fields)."""

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch
from redis.asyncio import Redis

from brandpulse.corrections import Correction, apply, corrected, record, update_document
from brandpulse.es_indices import ensure_indices, single_index_name, template
from brandpulse.settings import Settings

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
MENTION_ID = "a" * 32
DOC: dict[str, Any] = {
    "mention_id": MENTION_ID,
    "sentiment": {"label": "positive", "score": 0.7, "probabilities": {"positive": 0.8}},
}


@pytest.fixture
async def hash_key(redis: Redis, unique: str) -> AsyncIterator[str]:
    key = f"test:{unique}:corrections"
    yield key
    await redis.delete(key)


async def test_recorded_corrections_come_back_by_id_and_the_last_wins(redis: Redis, hash_key: str) -> None:
    first, second = "1" * 32, "2" * 32
    await record(redis, first, "negative", WHEN, key=hash_key)
    await record(redis, second, "neutral", WHEN, key=hash_key)
    later = WHEN.astimezone(timezone(timedelta(hours=2))) + timedelta(minutes=1)
    await record(redis, first, "positive", later, key=hash_key)
    found = await corrected(redis, [first, "3" * 32, second, first], key=hash_key)
    assert found == {
        first: Correction(label="positive", corrected_at=WHEN + timedelta(minutes=1)),
        second: Correction(label="neutral", corrected_at=WHEN),
    }
    assert found[first].corrected_at.tzinfo == UTC
    assert await corrected(redis, [], key=hash_key) == {}
    assert await corrected(redis, ["3" * 32], key=hash_key) == {}


def test_apply_replaces_the_label_keeps_the_model_score_and_copies() -> None:
    fixed = apply(DOC, Correction(label="negative", corrected_at=WHEN))
    assert fixed["sentiment"] == {
        "label": "negative",
        "score": 0.7,
        "probabilities": {"positive": 0.8},
        "corrected": True,
        "corrected_at": "2026-01-02T03:04:05+00:00",
    }
    assert DOC["sentiment"]["label"] == "positive"
    unscored = apply(
        {"mention_id": "b" * 32, "sentiment": None}, Correction(label="neutral", corrected_at=WHEN)
    )
    assert unscored["sentiment"] == {"label": "neutral", "corrected": True, "corrected_at": WHEN.isoformat()}


@pytest.fixture
def own(settings: Settings, unique: str) -> Settings:
    return settings.model_copy(update={"es_alias": f"test-{unique}"})


@pytest.fixture
async def cleanup(es: AsyncElasticsearch, own: Settings) -> AsyncIterator[None]:
    yield
    await es.indices.delete(index=single_index_name(own), ignore_unavailable=True)
    await es.options(ignore_status=404).indices.delete_index_template(name=own.es_alias)


@pytest.mark.usefixtures("cleanup")
async def test_update_document_corrects_an_indexed_mention(es: AsyncElasticsearch, own: Settings) -> None:
    await ensure_indices(es, own)
    await es.index(index=single_index_name(own), id=MENTION_ID, document=DOC, refresh=True)
    correction = Correction(label="negative", corrected_at=WHEN)
    assert await update_document(es, own.es_alias, MENTION_ID, correction) is True
    source = (await es.get(index=single_index_name(own), id=MENTION_ID))["_source"]
    assert source == apply(DOC, correction)
    hits = await es.count(index=own.es_alias, query={"term": {"sentiment.corrected": True}})
    assert hits["count"] == 1  # refreshed before the call returned
    assert await update_document(es, own.es_alias, "f" * 32, correction) is False


async def test_update_document_of_a_missing_index_finds_nothing(
    es: AsyncElasticsearch, own: Settings
) -> None:
    correction = Correction(label="negative", corrected_at=WHEN)
    assert await update_document(es, own.es_alias, "a" * 32, correction) is False


@pytest.mark.usefixtures("cleanup")
async def test_an_index_older_than_the_corrected_fields_gets_them(
    es: AsyncElasticsearch, own: Settings
) -> None:
    body = template(own)["template"]
    mappings = copy.deepcopy(body["mappings"])
    for name in ("corrected", "corrected_at"):
        del mappings["properties"]["sentiment"]["properties"][name]
    index = single_index_name(own)
    await es.indices.create(
        index=index, settings=body["settings"], mappings=mappings, aliases={own.es_alias: {}}
    )
    await es.index(index=index, id=MENTION_ID, document=DOC, refresh=True)
    correction = Correction(label="neutral", corrected_at=WHEN)
    assert await update_document(es, own.es_alias, MENTION_ID, correction) is True
    assert (await es.get(index=index, id=MENTION_ID))["_source"] == apply(DOC, correction)
    mapping = await es.indices.get_mapping(index=index)
    assert mapping[index]["mappings"]["properties"]["sentiment"]["properties"]["corrected"] == {
        "type": "boolean"
    }
