"""Where ingest records its progress for operators: the last successful fetch per source.

One Redis key per source (`brandpulse:ingest:fetched:{source}`, epoch seconds), next to the scheduler's
other per-source keys, so the API can report on ingest without importing it.
"""

from datetime import UTC, datetime
from typing import Any, Final

from redis.asyncio import Redis

FETCHED_PREFIX: Final = "brandpulse:ingest:fetched"


def fetched_key(source: str, prefix: str = FETCHED_PREFIX) -> str:
    """The key holding when `source` last answered a poll."""
    return f"{prefix}:{source}"


async def record_fetch(
    redis: Redis, source: str, *, at: datetime | None = None, prefix: str = FETCHED_PREFIX
) -> None:
    """Note that `source` answered a poll (every page of it read) at `at` (default: now)."""
    await redis.set(fetched_key(source, prefix), str((at or datetime.now(UTC)).timestamp()))


async def last_fetches(redis: Redis, *, prefix: str = FETCHED_PREFIX) -> dict[str, datetime]:
    """Source -> when it last answered a poll, for every source that ever did."""
    keys: list[bytes] = [key async for key in redis.scan_iter(match=f"{prefix}:*", count=1000)]
    if not keys:
        return {}
    values: list[Any] = await redis.mget(keys)
    return {
        key.decode().removeprefix(f"{prefix}:"): datetime.fromtimestamp(float(value), UTC)
        for key, value in zip(keys, values, strict=True)
        if value is not None
    }
