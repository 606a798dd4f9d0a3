"""The per-source polling lock on the real Redis: one holder at a time, renewed, released, lost."""

import asyncio

import pytest
from redis.asyncio import Redis

from brandpulse.locks import LockLost, held


async def test_one_holder_at_a_time_and_released_after(redis: Redis, unique: str) -> None:
    key = f"test:{unique}:lock"
    async with held(redis, key, 1000) as first, held(redis, key, 1000) as second:
        assert (first, second) == (True, False)
    async with held(redis, key, 1000) as again:
        assert again
    assert await redis.exists(key) == 0


async def test_the_lock_is_renewed_while_held(redis: Redis, unique: str) -> None:
    key = f"test:{unique}:lock"
    async with held(redis, key, 1000) as mine:
        assert mine
        await asyncio.sleep(1.6)  # longer than the TTL
        assert await redis.exists(key) == 1


async def test_a_lost_lock_stops_the_work_it_guarded(redis: Redis, unique: str) -> None:
    key = f"test:{unique}:lock"
    reached_the_end = False

    async def guarded_work() -> None:
        nonlocal reached_the_end
        async with held(redis, key, 1000):
            await redis.set(key, "someone else")  # e.g. it expired during a pause and was taken
            await asyncio.sleep(2)
            reached_the_end = True

    with pytest.raises(LockLost):
        await guarded_work()
    assert not reached_the_end
    assert await redis.get(key) == b"someone else"  # not released: it is not ours
    await redis.delete(key)
