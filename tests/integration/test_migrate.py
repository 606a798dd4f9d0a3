"""Alembic revisions run forwards and backwards cleanly on a real PostgreSQL."""

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, insert, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from brandpulse import clients, migrate
from brandpulse.brand_query import parse
from brandpulse.settings import Settings
from brandpulse.tables import Base, Brand

TABLES = {
    "alembic_version", "brands", "mentions", "mention_brands", "enrichments", "hourly_rollups",
    "daily_rollups", "sentiment_corrections", "alert_rules", "alerts",
}  # fmt: skip


async def tables(settings: Settings) -> set[str]:
    engine = clients.postgres_engine(settings)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return set(names)


async def test_upgrade_downgrade_upgrade(database: Settings) -> None:
    await asyncio.to_thread(migrate.upgrade, database)
    assert await tables(database) == TABLES
    await asyncio.to_thread(migrate.downgrade, database, "base")
    assert await tables(database) == {"alembic_version"}
    await asyncio.to_thread(migrate.upgrade, database)
    assert await tables(database) == TABLES


async def test_models_match_the_migrations(database: Settings) -> None:
    def differences(sync: Connection) -> list[object]:
        context = MigrationContext.configure(sync, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    await asyncio.to_thread(migrate.upgrade, database)
    engine = clients.postgres_engine(database)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()


async def test_brands_defaults_and_constraints(database: Settings) -> None:
    await asyncio.to_thread(migrate.upgrade, database)
    engine: AsyncEngine = clients.postgres_engine(database)
    try:
        async with engine.begin() as connection:
            row = (
                await connection.execute(
                    insert(Brand)
                    .values(slug="acme", name="Acme", query='"Acme"')
                    .returning(*Brand.__table__.columns)
                )
            ).one()
        assert (row.feeds, row.active) == ([], True)
        assert row.created_at.tzinfo is not None
        for bad in (
            {"slug": "Not A Slug", "name": "x", "query": "x"},
            {"slug": "acme", "name": "Again", "query": "x"},
            {"slug": "y", "name": "", "query": "x"},
            {"slug": "z", "name": "Z", "query": ""},
        ):
            with pytest.raises(IntegrityError):
                async with engine.begin() as connection:
                    await connection.execute(insert(Brand).values(**bad))
    finally:
        await engine.dispose()


async def test_brand_lists_become_a_query_and_back(database: Settings) -> None:
    await asyncio.to_thread(migrate.upgrade, database, "0002")
    engine = clients.postgres_engine(database)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO brands (slug, name, keywords, excluded_terms) VALUES"
                    " ('acme', 'Acme', ARRAY['Acme', 'Acme \"Corp\"'], ARRAY['acme brick']),"
                    " ('globex', 'Globex', '{}', '{}')"
                )
            )
        await asyncio.to_thread(migrate.upgrade, database)
        async with engine.connect() as connection:
            result = await connection.execute(text("SELECT slug, query FROM brands"))
            queries: dict[str, str] = {row.slug: row.query for row in result}
        assert queries == {"acme": '("Acme" OR "Acme Corp") -"acme brick"', "globex": '("Globex")'}
        assert [parse(query) for query in queries.values()]  # both are valid brand queries
        await asyncio.to_thread(migrate.downgrade, database, "0002")
        async with engine.connect() as connection:
            keywords = (await connection.execute(text("SELECT keywords FROM brands ORDER BY slug"))).scalars()
            assert list(keywords) == [["Acme"], ["Globex"]]
    finally:
        await engine.dispose()
