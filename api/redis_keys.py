"""The Redis names the operations endpoints read: streams, dead letters, the dedupe filter, channels.

Production takes them from the contract and settings; a test sets `app.state.redis_keys` before the
lifespan runs so it reads streams and channels of its own.
"""

from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, Request

from brandpulse.alert_events import ALERTS_CHANNEL
from brandpulse.contract import DEAD_LETTER_STREAM, ENRICHED_STREAM, LIVE_CHANNEL, RAW_STREAM
from brandpulse.ingest_status import FETCHED_PREFIX
from brandpulse.settings import Settings

ALERTS_LOCK: Final = "brandpulse:alerts:lock"  # held by the one API process evaluating alert rules


@dataclass(frozen=True, kw_only=True)
class RedisKeys:
    """Every Redis key and channel the API touches outside the cache."""

    streams: tuple[str, ...] = (RAW_STREAM, ENRICHED_STREAM)
    dead_letters: str = DEAD_LETTER_STREAM
    bloom: str
    fetched_prefix: str = FETCHED_PREFIX
    live_channel: str = LIVE_CHANNEL
    alerts_channel: str = ALERTS_CHANNEL
    alerts_lock: str = ALERTS_LOCK

    @classmethod
    def from_settings(cls, settings: Settings) -> "RedisKeys":
        """The production names: the contract's streams and channels, the configured dedupe filter."""
        return cls(bloom=settings.ingest_bloom_key)


async def _redis_keys(request: Request) -> RedisKeys:
    keys: RedisKeys = request.app.state.redis_keys
    return keys


RedisKeysDep = Annotated[RedisKeys, Depends(_redis_keys)]
