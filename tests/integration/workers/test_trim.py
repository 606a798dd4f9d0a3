"""Trimming never removes an entry that some group has not acknowledged."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from workers.trim import trim_acknowledged


@pytest.fixture
async def stream(redis: Redis, unique: str) -> AsyncIterator[str]:
    name = f"test:{unique}:trim"
    for chunk in range(10):  # 1,000 entries: ten of Redis's default 100-entry nodes
        async with redis.pipeline(transaction=False) as pipe:
            for n in range(100):
                pipe.xadd(name, {"n": str(chunk * 100 + n)})
            await pipe.execute()
    yield name
    await redis.delete(name)


async def consume(redis: Redis, stream: str, group: str, read: int, ack: int) -> list[bytes]:
    reply: Any = await redis.xreadgroup(group, "c", {stream: ">"}, count=read)
    ids = [entry_id for _, entries in reply for entry_id, _ in entries]
    if ack:
        await redis.xack(stream, group, *ids[:ack])
    return ids


async def test_trims_below_the_oldest_entry_any_group_still_needs(redis: Redis, stream: str) -> None:
    for group in ("fast", "slow"):
        await redis.xgroup_create(stream, group, id="0")
    await consume(redis, stream, "fast", read=1000, ack=1000)
    slow = await consume(redis, stream, "slow", read=600, ack=300)

    removed = await trim_acknowledged(redis, stream, ("fast", "slow"))

    oldest_left = (await redis.xrange(stream, count=1))[0][0]
    assert 0 < removed <= 300
    assert await redis.xlen(stream) == 1000 - removed
    assert oldest_left <= slow[300]  # slow's oldest pending entry survives


async def test_undelivered_entries_are_kept(redis: Redis, stream: str) -> None:
    for group in ("fast", "slow"):
        await redis.xgroup_create(stream, group, id="0")
    await consume(redis, stream, "fast", read=1000, ack=1000)
    assert await trim_acknowledged(redis, stream, ("fast", "slow")) == 0


async def test_nothing_is_trimmed_while_a_needed_group_does_not_exist(redis: Redis, stream: str) -> None:
    await redis.xgroup_create(stream, "fast", id="0")
    await consume(redis, stream, "fast", read=1000, ack=1000)
    assert await trim_acknowledged(redis, stream, ("fast", "slow")) == 0
    assert await redis.xlen(stream) == 1000
