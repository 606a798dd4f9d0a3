"""Integration fixtures: a migrated database per test, and the enrichment models, loaded once per session."""

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from brandpulse import clients, migrate
from brandpulse.settings import Settings
from workers.elastic.enrich import Enricher

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a test must never reach a model hub


@pytest.fixture(scope="session")
def enricher(settings: Settings) -> Enricher:
    """Every enrichment model, loaded once (train them first: `brandpulse models train`)."""
    if not Path(settings.sentiment_model).exists():
        pytest.fail(
            "the sentiment/emotion model is not trained: run `brandpulse models train` (make test does)"
        )
    return Enricher.load(settings)


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
