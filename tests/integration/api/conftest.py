"""The API in-process on the real stores: a migrated database, an index alias and keys of its own."""

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from api.main import create_app
from brandpulse.settings import Settings
from tests.integration.api.seed import Seeded, seeded

__all__ = ["seeded"]  # the session-wide data set the real pipeline wrote

API_KEY = "test-key-0123456789"


@pytest.fixture
def api_settings(migrated: Settings, unique: str) -> Settings:
    """Settings for one test's API: its own database, alias and a known write key."""
    return migrated.model_copy(update={"api_keys": [SecretStr(API_KEY)], "es_alias": f"test-{unique}"})


@pytest.fixture
async def client(api_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app (lifespan run), without a key."""
    app = create_app(api_settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as http,
    ):
        yield http


@pytest.fixture
async def seeded_client(seeded: Seeded) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on an app reading the seeded data set (read-only: do not write through it)."""
    app = create_app(seeded.settings.model_copy(update={"api_keys": [SecretStr(API_KEY)]}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as http,
    ):
        yield http
