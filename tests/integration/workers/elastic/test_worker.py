"""The elastic worker end to end on the real stack: real models, Redis streams and the ES-API server."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch
from redis.asyncio import Redis

from brandpulse.contract import Enrichment, Mention, decode, encode
from brandpulse.es_indices import ensure_indices, single_index_name
from brandpulse.settings import Settings
from workers.elastic.enrich import Enricher
from workers.elastic.indexer import Indexer, IndexResult
from workers.elastic.main import build_worker
from workers.loop import StreamWorker

TEXTS = [
    ("Apple unveiled the new iPhone in Cupertino and fans love it", "positive"),
    ("Terrible service from Acme, my order arrived broken and nobody answers", "negative"),
    ("Tesla will publish its quarterly report on Wednesday", None),
]


@dataclass
class Names:
    raw: str
    enriched: str
    dead_letters: str
    live: str


@pytest.fixture
def names(unique: str) -> Names:
    return Names(
        f"test:{unique}:raw", f"test:{unique}:enriched", f"test:{unique}:dead", f"test:{unique}:live"
    )


@pytest.fixture
async def worker_settings(
    settings: Settings, es: AsyncElasticsearch, redis: Redis, unique: str, names: Names
) -> AsyncIterator[Settings]:
    """Settings with an index alias of this test's own; the index and streams are removed afterwards."""
    own = settings.model_copy(
        update={"es_alias": f"t{unique}", "elastic_batch_size": 16, "elastic_flush_after_s": 0.1}
    )
    await ensure_indices(es, own)
    yield own
    await es.indices.delete(index=single_index_name(own), ignore_unavailable=True)
    await es.indices.delete_index_template(name=own.es_alias)
    await redis.delete(names.raw, names.enriched, names.dead_letters)


def mention(n: int, text: str, **changes: Any) -> Mention:
    published = datetime(2026, 11, 20, 12, tzinfo=UTC) + timedelta(minutes=n)
    fields = {"source": "simulator", "external_id": str(n), "text": text, "lang": "en", "brand_ids": (1,)}
    return Mention(**{**fields, "published_at": published, "fetched_at": published, **changes})


def make(
    settings: Settings, redis: Redis, es: AsyncElasticsearch, enricher: Enricher, names: Names, **knobs: Any
) -> StreamWorker[Mention]:
    worker = build_worker(
        settings,
        redis,
        es,
        enricher,
        raw=names.raw,
        enriched=names.enriched,
        dead_letters=names.dead_letters,
        live=names.live,
    )
    worker.config = replace(worker.config, **{"block_ms": 50, "retry_max_s": 0.1, **knobs})
    return worker


async def publish(redis: Redis, stream: str, mentions: Sequence[Mention]) -> None:
    for item in mentions:
        await redis.xadd(stream, encode(item))  # type: ignore[arg-type]


async def documents(es: AsyncElasticsearch, settings: Settings) -> dict[str, dict[str, Any]]:
    await es.indices.refresh(index=settings.es_alias)
    found = await es.search(index=settings.es_alias, size=1000, query={"match_all": {}})
    return {hit["_id"]: hit["_source"] for hit in found["hits"]["hits"]}


async def test_published_mentions_become_enriched_documents_once(
    worker_settings: Settings, redis: Redis, es: AsyncElasticsearch, enricher: Enricher, names: Names
) -> None:
    mentions = [mention(n, text) for n, (text, _) in enumerate(TEXTS)]
    german = mention(9, "Die neue Kamera von Sony ist großartig", lang="de")
    live = redis.pubsub()
    await live.subscribe(names.live)
    await publish(redis, names.raw, [*mentions, german, mentions[0]])  # the first one twice

    stats = await make(worker_settings, redis, es, enricher, names).run(burst=True)

    docs = await documents(es, worker_settings)
    assert set(docs) == {m.id for m in [*mentions, german]}
    assert stats.processed == 5
    for item, (_, expected) in zip(mentions, TEXTS, strict=True):
        if expected:
            assert docs[item.id]["sentiment"]["label"] == expected
    assert "ORG:Apple" in docs[mentions[0].id]["entity_keys"]
    assert docs[german.id].get("sentiment") is None
    entries: Any = await redis.xrange(names.enriched)
    enriched = [decode(fields, Enrichment) for _, fields in entries]
    assert {e.mention_id for e in enriched} == set(docs)
    assert [e.skipped["sentiment"] for e in enriched if e.mention_id == german.id] == [
        "language 'de' not covered"
    ]
    events = [await live.get_message(ignore_subscribe_messages=True, timeout=1) for _ in range(5)]
    assert sum(1 for event in events if event) == 4  # one per unique mention, the repeat included once
    await live.aclose()


async def test_entries_of_a_dead_consumer_are_reclaimed_without_duplicates(
    worker_settings: Settings, redis: Redis, es: AsyncElasticsearch, enricher: Enricher, names: Names
) -> None:
    mentions = [mention(n, f"Acme rocket launch number {n} went well") for n in range(6)]
    await publish(redis, names.raw, mentions)
    first = make(worker_settings, redis, es, enricher, names)
    await first.ensure_groups()
    await redis.xreadgroup("elastic", "crashed", {names.raw: ">"}, count=3)  # read, never acked
    await asyncio.sleep(0.2)

    await make(worker_settings, redis, es, enricher, names, min_idle_ms=100).run(burst=True)

    assert set(await documents(es, worker_settings)) == {m.id for m in mentions}
    assert (await redis.xpending(names.raw, "elastic"))["pending"] == 0


async def test_poison_entries_are_dead_lettered_with_their_reason(
    worker_settings: Settings, redis: Redis, es: AsyncElasticsearch, enricher: Enricher, names: Names
) -> None:
    good = mention(1, "Nike shoes are comfortable")
    await publish(redis, names.raw, [good])
    await redis.xadd(names.raw, {"v": "1", "payload": "{not json"})
    await redis.xadd(names.raw, {"v": "7", "payload": "{}"})

    stats = await make(worker_settings, redis, es, enricher, names).run(burst=True)

    reasons = sorted(fields[b"dlq_reason"].decode() for _, fields in await redis.xrange(names.dead_letters))
    assert set(await documents(es, worker_settings)) == {good.id}
    assert stats.dead_lettered == 2
    assert reasons[0].startswith("cannot decode: payload is not valid JSON")
    assert reasons[1] == "cannot decode: unsupported schema version '7' (supported: 1)"


class BreaksOneDocument(Indexer):
    """The real indexer, but one document gets a field the strict mapping refuses."""

    def __init__(self, inner: Indexer, victim: str) -> None:
        super().__init__(inner.es, inner.settings)
        self.victim = victim

    async def index(self, docs: Sequence[tuple[str, str, dict[str, Any]]]) -> IndexResult:
        changed = [
            (i, index, {**doc, "not_in_mapping": 1} if i == self.victim else doc) for i, index, doc in docs
        ]
        return await super().index(changed)


async def test_a_document_elasticsearch_rejects_is_dead_lettered_alone(
    worker_settings: Settings, redis: Redis, es: AsyncElasticsearch, enricher: Enricher, names: Names
) -> None:
    mentions = [mention(n, f"Tesla delivered {n} cars in Berlin") for n in range(4)]
    await publish(redis, names.raw, mentions)
    worker = make(worker_settings, redis, es, enricher, names)
    worker.handle.indexer = BreaksOneDocument(worker.handle.indexer, mentions[2].id)  # type: ignore[attr-defined]

    stats = await worker.run(burst=True)

    letters = [fields for _, fields in await redis.xrange(names.dead_letters)]
    assert set(await documents(es, worker_settings)) == {m.id for i, m in enumerate(mentions) if i != 2}
    assert stats.dead_lettered == 1
    assert letters[0][b"dlq_reason"].decode().startswith("rejected by Elasticsearch:")
    assert b"not_in_mapping" in letters[0][b"dlq_reason"]


async def test_stop_mid_run_acks_only_what_was_indexed(
    worker_settings: Settings, redis: Redis, es: AsyncElasticsearch, enricher: Enricher, names: Names
) -> None:
    mentions = [mention(n, f"Acme announced product number {n} today") for n in range(40)]
    await publish(redis, names.raw, mentions)
    worker = make(worker_settings, redis, es, enricher, names, batch_size=8)
    running = asyncio.create_task(worker.run())
    while worker.stats.batches < 2:  # noqa: ASYNC110 - watching the worker's own counter
        await asyncio.sleep(0.01)
    worker.stop()
    await asyncio.wait_for(running, timeout=60)

    info = {group["name"]: group for group in await redis.xinfo_groups(names.raw)}[b"elastic"]
    acked = int(info["entries-read"]) - int(info["pending"])
    docs = await documents(es, worker_settings)
    assert info["pending"] == 0
    assert 16 <= acked < 40
    assert len(docs) == acked
