"""`ensure_indices`: idempotent set-up of both layouts, with the alias on every mentions index."""

from collections.abc import Callable
from datetime import UTC, datetime

from elasticsearch import AsyncElasticsearch

from brandpulse.es_indices import ensure_indices, single_index_name
from brandpulse.settings import Settings
from workers.elastic.indexer import Doc, Indexer

MakeDoc = Callable[..., Doc]


async def aliases(es: AsyncElasticsearch, settings: Settings) -> dict[str, list[str]]:
    """Each `<alias>-*` index and its aliases."""
    indices = await es.indices.get(index=f"{settings.es_alias}-*", allow_no_indices=True)
    return {name: sorted(index["aliases"]) for name, index in indices.items()}


async def test_the_single_layout_gets_one_strict_index_behind_the_alias(
    es: AsyncElasticsearch, own: Settings
) -> None:
    await ensure_indices(es, own)
    await ensure_indices(es, own)

    assert await aliases(es, own) == {single_index_name(own): [own.es_alias]}
    mapping = await es.indices.get_mapping(index=own.es_alias)
    assert mapping[single_index_name(own)]["mappings"]["dynamic"] == "strict"


async def test_a_single_index_made_without_the_alias_gets_it(es: AsyncElasticsearch, own: Settings) -> None:
    await es.indices.create(index=single_index_name(own))
    await ensure_indices(es, own)
    assert await aliases(es, own) == {single_index_name(own): [own.es_alias]}


async def test_monthly_indices_are_made_on_first_write_with_the_alias(
    es: AsyncElasticsearch, own: Settings, make_doc: MakeDoc
) -> None:
    monthly = own.model_copy(update={"es_index_layout": "monthly"})
    await ensure_indices(es, monthly)
    await ensure_indices(es, monthly)
    assert await aliases(es, monthly) == {}

    january, february = datetime(2025, 1, 31, 23, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC)
    docs = [make_doc(monthly, 1, published_at=january), make_doc(monthly, 2, published_at=february)]
    result = await Indexer(es, monthly).index(docs)

    assert len(result.indexed) == 2
    alias = monthly.es_alias
    assert await aliases(es, monthly) == {f"{alias}-2025.01": [alias], f"{alias}-2025.02": [alias]}
    await es.indices.refresh(index=alias)
    assert (await es.count(index=alias))["count"] == 2
    mapping = await es.indices.get_mapping(index=f"{alias}-2025.02")
    assert mapping[f"{alias}-2025.02"]["mappings"]["dynamic"] == "strict"
