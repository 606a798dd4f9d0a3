"""`apply_retention`: old mentions leave Elasticsearch, recent ones stay, nothing happens when unset."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from elasticsearch import AsyncElasticsearch

from brandpulse.es_indices import ensure_indices
from brandpulse.settings import Settings
from workers.elastic.indexer import Doc, Indexer
from workers.elastic.retention import apply_retention

MakeDoc = Callable[..., Doc]
NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)


async def indexed(es: AsyncElasticsearch, settings: Settings, make_doc: MakeDoc, *days_ago: int) -> None:
    """One mention per `days_ago`, published that many days before NOW, searchable."""
    await ensure_indices(es, settings)
    docs = [make_doc(settings, days, published_at=NOW - timedelta(days=days)) for days in days_ago]
    assert len((await Indexer(es, settings).index(docs)).indexed) == len(docs)
    await es.indices.refresh(index=settings.es_alias)


async def published_days_ago(es: AsyncElasticsearch, settings: Settings) -> list[int]:
    response = await es.search(index=settings.es_alias, size=100, source_includes=["published_at"])
    dates = [datetime.fromisoformat(hit["_source"]["published_at"]) for hit in response["hits"]["hits"]]
    return sorted((NOW - date).days for date in dates)


async def test_the_single_layout_deletes_mentions_published_before_the_cutoff(
    es: AsyncElasticsearch, own: Settings, make_doc: MakeDoc
) -> None:
    settings = own.model_copy(update={"es_retention_hours": 30 * 24})
    await indexed(es, settings, make_doc, 100, 31, 29, 1)

    assert await apply_retention(es, settings, NOW) == 2
    assert await published_days_ago(es, settings) == [1, 29]


async def test_the_monthly_layout_drops_only_months_entirely_before_the_cutoff(
    es: AsyncElasticsearch, own: Settings, make_doc: MakeDoc
) -> None:
    settings = own.model_copy(update={"es_index_layout": "monthly", "es_retention_hours": 30 * 24})
    await indexed(es, settings, make_doc, 150, 140, 45, 5)  # Jan, Jan, May 1 (before the May 16 cutoff), Jun

    assert await apply_retention(es, settings, NOW) == 2
    alias = settings.es_alias
    remaining = await es.indices.get(index=f"{alias}-*")
    assert sorted(remaining) == [f"{alias}-2025.05", f"{alias}-2025.06"]
    assert await published_days_ago(es, settings) == [5, 45]


async def test_without_a_retention_period_nothing_is_deleted(
    es: AsyncElasticsearch, own: Settings, make_doc: MakeDoc
) -> None:
    await indexed(es, own, make_doc, 1000, 1)
    assert await apply_retention(es, own, NOW) == 0
    assert await published_days_ago(es, own) == [1, 1000]


async def test_retention_before_anything_was_indexed_deletes_nothing(
    es: AsyncElasticsearch, own: Settings
) -> None:
    for layout in ("single", "monthly"):
        settings = own.model_copy(update={"es_index_layout": layout, "es_retention_hours": 24})
        assert await apply_retention(es, settings, NOW) == 0
