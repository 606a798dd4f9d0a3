"""Shared fixtures: markers by folder, and the real local stack for integration tests."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from elasticsearch import AsyncElasticsearch
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from brandpulse import clients, stack
from brandpulse.settings import Settings

TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test `unit`, `integration`, `reliability` or `e2e` by the folder it lives in."""
    for item in items:
        kind = item.path.relative_to(TESTS).parts[0]
        if kind in {"unit", "integration", "reliability", "e2e"}:
            item.add_marker(kind)


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings from the environment, with the local stack up (a no-op when it runs already)."""
    settings = Settings()
    stack.up(settings)
    return settings


@pytest.fixture
def unique() -> str:
    """A short random name part, so each test gets its own keys, indices and databases."""
    return uuid.uuid4().hex[:12]


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    """A Redis client for one test."""
    client = clients.redis_client(settings)
    yield client
    await client.aclose()


@pytest.fixture
async def es(settings: Settings) -> AsyncIterator[AsyncElasticsearch]:
    """An Elasticsearch client for one test."""
    async with clients.elasticsearch_client(settings) as client:
        yield client


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """A SQLAlchemy async engine for one test."""
    engine = clients.postgres_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def database(settings: Settings, unique: str) -> AsyncIterator[Settings]:
    """An empty database of its own for one test; yields settings that point at it."""
    url = make_url(settings.postgres_url.get_secret_value())
    name = f"test_{unique}"
    admin = create_async_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield settings.model_copy(
        update={"postgres_url": SecretStr(url.set(database=name).render_as_string(False))}
    )
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    await admin.dispose()
