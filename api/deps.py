"""Dependencies routes declare: settings, the three stores, and the API-key checks."""

import hmac
from typing import Annotated

from elasticsearch import AsyncElasticsearch
from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from api.errors import ApiError
from brandpulse.settings import Settings

API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key from BRANDPULSE_API_KEYS.")


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _redis(request: Request) -> Redis:
    redis: Redis = request.app.state.redis
    return redis


async def _es(request: Request) -> AsyncElasticsearch:
    es: AsyncElasticsearch = request.app.state.es
    return es


async def _engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


async def _reader(request: Request) -> AsyncEngine:
    reader: AsyncEngine = request.app.state.reader
    return reader


SettingsDep = Annotated[Settings, Depends(_settings)]
RedisDep = Annotated[Redis, Depends(_redis)]
EsDep = Annotated[AsyncElasticsearch, Depends(_es)]
EngineDep = Annotated[AsyncEngine, Depends(_engine)]
ReaderDep = Annotated[AsyncEngine, Depends(_reader)]  # autocommit: for routes that only read, one statement


def valid_key(settings: Settings, key: str | None) -> bool:
    """Whether `key` is one of the configured keys (constant-time comparisons, every key tried)."""
    given = (key or "").encode()
    matches = [hmac.compare_digest(given, known.get_secret_value().encode()) for known in settings.api_keys]
    return bool(key) and any(matches)


async def require_write_key(settings: SettingsDep, key: Annotated[str | None, Security(API_KEY)]) -> None:
    """Every write needs a valid X-API-Key; with no keys configured, writes are refused."""
    if not valid_key(settings, key):
        raise ApiError(401, "unauthorized", "this request needs a valid X-API-Key header")


async def require_read_key(request: Request, key: Annotated[str | None, Security(API_KEY)]) -> None:
    """Reads need a key only when BRANDPULSE_API_READ_REQUIRES_KEY is true. Every read runs this, so it
    reads the settings off the app: each dependency FastAPI resolves costs CPU per request."""
    settings: Settings = request.app.state.settings
    if settings.api_read_requires_key and not valid_key(settings, key):
        raise ApiError(401, "unauthorized", "this request needs a valid X-API-Key header")


WriteKey = Depends(require_write_key)
ReadKey = Depends(require_read_key)
