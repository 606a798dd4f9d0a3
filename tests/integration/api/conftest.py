"""The API in-process on the real stores: a migrated database, an index alias and keys of its own."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from api.main import create_app
from api.redis_keys import RedisKeys
from brandpulse.settings import Settings
from tests.integration.api.seed import Seeded, seeded

__all__ = ["seeded"]  # the session-wide data set the real pipeline wrote

API_KEY = "test-key-0123456789"
NO_UI = Path("/nonexistent/ui")  # tests/unit/test_static_ui.py covers the UI being served


@pytest.fixture
def api_settings(migrated: Settings, unique: str) -> Settings:
    """Settings for one test's API: its own database, alias and a known write key; no UI, built or not."""
    return migrated.model_copy(
        update={"api_keys": [SecretStr(API_KEY)], "es_alias": f"test-{unique}", "ui_dir": NO_UI}
    )


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


@pytest.fixture
async def keys(unique: str, redis: Redis) -> AsyncIterator[RedisKeys]:
    """Redis names of this test's own, so nothing an app under test does touches the real streams."""
    prefix = f"test:{unique}"
    keys = RedisKeys(
        streams=(f"{prefix}:raw", f"{prefix}:enriched"),
        dead_letters=f"{prefix}:dead",
        bloom=f"{prefix}:seen",
        fetched_prefix=f"{prefix}:fetched",
        live_channel=f"{prefix}:live",
        alerts_channel=f"{prefix}:alerts",
        alerts_lock=f"{prefix}:alerts-lock",
    )
    yield keys
    fetched = [key async for key in redis.scan_iter(match=f"{keys.fetched_prefix}:*")]
    await redis.delete(*keys.streams, keys.dead_letters, keys.bloom, *fetched)
