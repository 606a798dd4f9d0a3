"""The seeded data set is what the real pipeline wrote: the same mentions in Elasticsearch and PostgreSQL."""

from elasticsearch import AsyncElasticsearch
from sqlalchemy import text

from brandpulse import clients
from tests.integration.api.seed import Seeded


async def test_both_sinks_hold_every_published_mention_once(seeded: Seeded, es: AsyncElasticsearch) -> None:
    assert len(seeded.published) > 1000
    count = await es.count(index=seeded.settings.es_alias)
    engine = clients.postgres_engine(seeded.settings)
    try:
        async with engine.connect() as connection:
            stored = (await connection.execute(text("SELECT count(*) FROM mentions"))).scalar()
            enriched = (await connection.execute(text("SELECT count(*) FROM enrichments"))).scalar()
    finally:
        await engine.dispose()
    assert count["count"] == stored == enriched == len(seeded.published)
