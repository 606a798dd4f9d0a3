"""Per-test mentions indices: settings with an alias of the test's own, and documents to index into it."""

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime

import pytest
from elasticsearch import AsyncElasticsearch

from brandpulse.contract import Enrichment, Entity, Mention
from brandpulse.es_indices import index_name
from brandpulse.settings import Settings
from workers.elastic.documents import document
from workers.elastic.indexer import Doc

MakeDoc = Callable[..., Doc]
PUBLISHED = datetime(2025, 6, 10, 12, tzinfo=UTC)


@pytest.fixture
async def own(es: AsyncElasticsearch, settings: Settings, unique: str) -> AsyncIterator[Settings]:
    """Single-layout settings whose alias is `t<unique>`; afterwards its indices and template are deleted."""
    update = {"es_alias": f"t{unique}", "es_index_layout": "single", "es_bulk_max_retries": 2}
    own = settings.model_copy(update=update)
    yield own
    names = await es.indices.get(index=f"{own.es_alias}-*", allow_no_indices=True, ignore_unavailable=True)
    if names:
        await es.indices.delete(index=",".join(names))
    await es.options(ignore_status=404).indices.delete_index_template(name=own.es_alias)


def _make_doc(
    settings: Settings,
    number: int,
    *,
    text: str = "Acme shipped an update",
    published_at: datetime = PUBLISHED,
    entities: Sequence[Entity] = (),
) -> Doc:
    mention = Mention(
        source="test",
        external_id=f"item-{number}",
        title=f"Mention {number}",
        text=text,
        published_at=published_at,
        fetched_at=published_at,
        brand_ids=(1,),
    )
    enrichment = Enrichment(mention_id=mention.id, entities=tuple(entities), enriched_at=published_at)
    return mention.id, index_name(settings, published_at), document(mention, enrichment, datetime.now(UTC))


@pytest.fixture
def make_doc() -> MakeDoc:
    """`make_doc(settings, number, text=..., published_at=..., entities=...)`: one (id, index, doc)."""
    return _make_doc
