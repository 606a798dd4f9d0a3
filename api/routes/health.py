"""`/api/health` (each store with its latency; 503 when one is down) and `/api/ready`."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy import text

from api.deps import EsDep, ReaderDep, RedisDep

router = APIRouter(prefix="/api", tags=["health"])
TIMEOUT_S = 2.0


class ComponentHealth(BaseModel):
    """One store: up or down, how long the probe took, and why it failed."""

    name: str
    status: Literal["up", "down"]
    latency_ms: float
    error: str | None = None


class HealthPublic(BaseModel):
    """Every store's health; `status` is down when any is."""

    status: Literal["up", "down"]
    components: list[ComponentHealth]


async def _probe(name: str, check: Callable[[], Awaitable[object]]) -> ComponentHealth:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), TIMEOUT_S)
    except Exception as error:
        return ComponentHealth(
            name=name, status="down", latency_ms=_ms(started), error=str(error) or type(error).__name__
        )
    return ComponentHealth(name=name, status="up", latency_ms=_ms(started))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


@router.get("/health", responses={503: {"model": HealthPublic}})
async def read_health(response: Response, redis: RedisDep, es: EsDep, reader: ReaderDep) -> HealthPublic:
    """Probe Redis, Elasticsearch and PostgreSQL; 503 when any is down."""

    async def postgres() -> None:
        async with reader.connect() as connection:
            await connection.execute(text("SELECT 1"))

    components = await asyncio.gather(
        _probe("redis", redis.ping), _probe("elasticsearch", es.info), _probe("postgres", postgres)
    )
    down = any(component.status == "down" for component in components)
    response.status_code = 503 if down else 200
    return HealthPublic(status="down" if down else "up", components=list(components))


@router.get("/ready")
async def read_ready() -> dict[str, str]:
    """The process is up and serving (for orchestrators; `/api/health` checks the stores)."""
    return {"status": "ready"}
