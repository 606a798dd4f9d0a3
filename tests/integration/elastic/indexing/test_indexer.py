"""`Indexer` on the real ES-API server: idempotent writes, rejections, retries, and the mapping at work."""

import json
from collections.abc import Callable
from typing import Any, Self, cast

import pytest
from elasticsearch import AsyncElasticsearch

from brandpulse.contract import Entity
from brandpulse.es_indices import ensure_indices
from brandpulse.settings import Settings
from tests.ports import free_port
from workers.elastic.indexer import Doc, Indexer
from workers.loop import RetryLater

MakeDoc = Callable[..., Doc]  # the `make_doc` fixture


class ThrottlingClient:
    """Wraps the real client: its first `times` bulk calls answer 429 for the `throttled` ids.

    The real server stores every document; only the answer is altered, as a node under pressure would.
    `sent` records the ids of each bulk call.
    """

    def __init__(self, es: AsyncElasticsearch, throttled: set[str], times: int) -> None:
        self.es, self.throttled, self.times = es, throttled, times
        self.sent: list[list[str]] = []

    def options(self, **_: Any) -> Self:
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self.es, name)

    async def bulk(self, **kwargs: Any) -> Any:
        actions = [json.loads(line) for line in kwargs["operations"]][::2]
        self.sent.append([action["index"]["_id"] for action in actions])
        response = await self.es.bulk(**kwargs)
        if len(self.sent) <= self.times:
            for item in response.body["items"]:
                if item["index"]["_id"] in self.throttled:
                    error = {"type": "es_rejected_execution_exception", "reason": "injected: queue full"}
                    item["index"] = {**item["index"], "status": 429, "error": error}
            response.body["errors"] = True
        return response


async def versions(es: AsyncElasticsearch, settings: Settings, ids: list[str]) -> dict[str, int]:
    response = await es.mget(index=settings.es_alias, ids=ids)
    return {doc["_id"]: doc["_version"] for doc in response["docs"]}


async def test_redelivered_documents_overwrite_instead_of_duplicating(
    es: AsyncElasticsearch, own: Settings, make_doc: MakeDoc
) -> None:
    await ensure_indices(es, own)
    docs = [make_doc(own, number) for number in range(5)]
    ids = [mention_id for mention_id, _, _ in docs]
    indexer = Indexer(es, own)

    first = await indexer.index(docs)
    second = await indexer.index(docs)

    assert sorted(first.indexed) == sorted(second.indexed) == sorted(ids)
    assert (second.rejected, second.failed) == ({}, {})
    await es.indices.refresh(index=own.es_alias)
    assert (await es.count(index=own.es_alias))["count"] == 5
    assert set((await versions(es, own, ids)).values()) == {2}


async def test_a_document_breaking_the_strict_mapping_is_rejected_alone(
    es: AsyncElasticsearch, own: Settings, make_doc: MakeDoc
) -> None:
    await ensure_indices(es, own)
    docs = [make_doc(own, number) for number in range(3)]
    bad_id, _, bad_doc = docs[1]
    bad_doc["colour"] = "red"

    result = await Indexer(es, own).index(docs)

    assert list(result.rejected) == [bad_id]
    assert "strict_dynamic_mapping_exception" in result.rejected[bad_id]
    assert "colour" in result.rejected[bad_id]
    assert sorted(result.indexed) == sorted([docs[0][0], docs[2][0]])
    assert result.failed == {}


async def test_only_the_throttled_subset_is_retried(
    es: AsyncElasticsearch, own: Settings, make_doc: MakeDoc
) -> None:
    await ensure_indices(es, own)
    docs = [make_doc(own, number) for number in range(5)]
    ids = [mention_id for mention_id, _, _ in docs]
    client = ThrottlingClient(es, throttled=set(ids[:2]), times=1)

    result = await Indexer(cast(AsyncElasticsearch, client), own, initial_backoff_s=0.01).index(docs)

    assert sorted(result.indexed) == sorted(ids)
    assert (result.rejected, result.failed) == ({}, {})
    assert client.sent == [ids, ids[:2]]
    assert await versions(es, own, ids) == {
        mention_id: 2 if mention_id in ids[:2] else 1 for mention_id in ids
    }


async def test_documents_still_throttled_after_the_retries_are_failed(
    es: AsyncElasticsearch, own: Settings, make_doc: MakeDoc
) -> None:
    await ensure_indices(es, own)
    docs = [make_doc(own, number) for number in range(3)]
    ids = [mention_id for mention_id, _, _ in docs]
    client = ThrottlingClient(es, throttled={ids[0]}, times=99)

    result = await Indexer(cast(AsyncElasticsearch, client), own, initial_backoff_s=0.01).index(docs)

    assert list(result.failed) == [ids[0]]
    assert "es_rejected_execution_exception" in result.failed[ids[0]]
    assert sorted(result.indexed) == sorted(ids[1:])
    assert client.sent == [ids, [ids[0]], [ids[0]]]  # es_bulk_max_retries = 2


async def test_an_unreachable_cluster_raises_retry_later(own: Settings, make_doc: MakeDoc) -> None:
    port = free_port()
    async with AsyncElasticsearch(f"http://127.0.0.1:{port}", max_retries=0) as down:
        indexer = Indexer(down, own, initial_backoff_s=0.01)
        with pytest.raises(RetryLater, match="unavailable"):
            await indexer.index([make_doc(own, 1)])


async def test_english_stemming_and_folding_match(
    es: AsyncElasticsearch, own: Settings, make_doc: MakeDoc
) -> None:
    await ensure_indices(es, own)
    docs = [make_doc(own, 1, text="Acme launched Nestlé's new café"), make_doc(own, 2, text="Nothing here")]
    await Indexer(es, own).index(docs)
    await es.indices.refresh(index=own.es_alias)

    for query in ("launching", "nestle", "cafes"):
        response = await es.search(index=own.es_alias, query={"match": {"text": query}})
        assert [hit["_id"] for hit in response["hits"]["hits"]] == [docs[0][0]], query


async def test_nested_entities_and_entity_key_counts(
    es: AsyncElasticsearch, own: Settings, make_doc: MakeDoc
) -> None:
    await ensure_indices(es, own)
    acme, jane = Entity(text="Acme", type="ORG"), Entity(text="Jane Doe", type="PERSON")
    docs = [make_doc(own, 1, entities=[acme, jane]), make_doc(own, 2, entities=[acme]), make_doc(own, 3)]
    await Indexer(es, own).index(docs)
    await es.indices.refresh(index=own.es_alias)

    def entity(kind: str, text: str) -> dict[str, Any]:
        must = [{"term": {"entities.type": kind}}, {"match": {"entities.text.search": text}}]
        return {"nested": {"path": "entities", "query": {"bool": {"must": must}}}}

    assert (await es.count(index=own.es_alias, query=entity("ORG", "acme")))["count"] == 2
    assert (await es.count(index=own.es_alias, query=entity("PERSON", "acme")))["count"] == 0
    response = await es.search(index=own.es_alias, size=0, aggs={"keys": {"terms": {"field": "entity_keys"}}})
    buckets = {bucket["key"]: bucket["doc_count"] for bucket in response["aggregations"]["keys"]["buckets"]}
    assert buckets == {"ORG:Acme": 2, "PERSON:Jane Doe": 1}
