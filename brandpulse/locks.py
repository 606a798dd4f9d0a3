"""A Redis lock with a TTL and renewal, so one process at a time polls a source however many replicas run."""

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis

log = logging.getLogger(__name__)
MINE = "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end "
RENEW = MINE + "return redis.call('PEXPIRE', KEYS[1], ARGV[2])"
RELEASE = MINE + "return redis.call('DEL', KEYS[1])"


class LockLost(Exception):
    """The lock expired or was taken while its holder worked: stop working."""


@asynccontextmanager
async def held(redis: Redis, key: str, ttl_ms: int) -> AsyncIterator[bool]:
    """Yields True while this process holds `key` (renewed every third of the TTL), False if another does.

    When a renewal finds the lock gone, the body is cancelled and LockLost raised.
    """
    token = secrets.token_hex(16)
    if not await redis.set(key, token, nx=True, px=ttl_ms):
        yield False
        return
    body = asyncio.current_task()
    assert body is not None
    lost = asyncio.Event()
    renewer = asyncio.create_task(_renew(redis, (key, token, ttl_ms), body, lost))
    try:
        yield True
    except asyncio.CancelledError:
        if lost.is_set():
            raise LockLost(f"lock {key} was lost") from None
        raise
    finally:
        renewer.cancel()
        release: Any = redis.eval(RELEASE, 1, key, token)
        await release


async def _renew(
    redis: Redis, lock: tuple[str, str, int], body: asyncio.Task[Any], lost: asyncio.Event
) -> None:
    key, token, ttl_ms = lock
    while True:
        await asyncio.sleep(ttl_ms / 3000)
        renewal: Any = redis.eval(RENEW, 1, key, token, str(ttl_ms))
        if not await renewal:
            log.warning("lock %s was lost; stopping the work it guarded", key)
            lost.set()
            body.cancel()
            return
