"""A stream and a RedisBloom filter of their own for each publishing test."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis


@dataclass(frozen=True)
class Keys:
    stream: str
    bloom: str


@pytest.fixture
async def keys(redis: Redis, unique: str) -> AsyncIterator[Keys]:
    keys = Keys(stream=f"test:{unique}:mentions", bloom=f"test:{unique}:seen")
    yield keys
    await redis.delete(keys.stream, keys.bloom)
