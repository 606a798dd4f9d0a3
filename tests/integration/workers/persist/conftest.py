"""A migrated database of its own per test."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from brandpulse import clients, migrate
from brandpulse.settings import Settings


@pytest.fixture
async def migrated(database: Settings) -> Settings:
    """Settings pointing at an empty database of its own, migrated to head."""
    await asyncio.to_thread(migrate.upgrade, database)
    return database


@pytest.fixture
async def pg(migrated: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine on the test's migrated database."""
    engine = clients.postgres_engine(migrated)
    yield engine
    await engine.dispose()
