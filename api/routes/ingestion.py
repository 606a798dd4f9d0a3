"""`/api/ingestion`: stream lengths, group lag and pending, dead letters, the dedupe filter, fetches.

`POST /api/ingestion/dead-letters/replay` sends dead letters back to the stream they came from.
"""

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from api import dead_letters
from api.deps import ReadKey, RedisDep, WriteKey
from api.redis_keys import RedisKeys, RedisKeysDep
from brandpulse.ingest_status import last_fetches

router = APIRouter(prefix="/api", tags=["ingestion"])


class GroupStatus(BaseModel):
    """A consumer group: entries delivered but not acked (`pending`), and not delivered yet (`lag`)."""

    name: str
    consumers: int
    pending: int
    lag: int | None = Field(description="Null when Redis cannot tell (after entries were deleted).")
    last_delivered_id: str


class StreamStatus(BaseModel):
    """A stream and its consumer groups."""

    name: str
    length: int
    groups: list[GroupStatus]


class DeadLetterPublic(BaseModel):
    """An entry a worker gave up on, and why."""

    id: str
    reason: str
    stream: str
    group: str
    entry_id: str
    consumer: str
    at: datetime | None


class DeadLettersStatus(BaseModel):
    """The dead-letter stream: how many, and the latest."""

    stream: str
    count: int
    latest: list[DeadLetterPublic]


class BloomStatus(BaseModel):
    """The RedisBloom filter ingest dedupes with (`BF.INFO`)."""

    key: str
    capacity: int
    size_bytes: int
    filters: int
    items_inserted: int
    expansion_rate: int | None


class SourceStatus(BaseModel):
    """When a source last answered a poll."""

    source: str
    last_fetch_at: datetime


class IngestionPublic(BaseModel):
    """The state of the pipeline between the sources and the sinks."""

    streams: list[StreamStatus]
    dead_letters: DeadLettersStatus
    bloom: BloomStatus | None = Field(description="Null until ingest has created the filter.")
    sources: list[SourceStatus]


async def _stream(redis: Redis, name: str) -> StreamStatus:
    async with redis.pipeline(transaction=False) as pipe:
        pipe.xlen(name)
        pipe.xinfo_groups(name)
        length, groups = await pipe.execute(raise_on_error=False)
    if isinstance(groups, ResponseError):  # no such stream yet
        groups = []
    return StreamStatus(name=name, length=length, groups=[_group(info) for info in groups])


def _group(info: dict[str, Any]) -> GroupStatus:
    return GroupStatus(
        name=info["name"].decode(),
        consumers=info["consumers"],
        pending=info["pending"],
        lag=info.get("lag"),
        last_delivered_id=info["last-delivered-id"].decode(),
    )


async def _bloom(redis: Redis, key: str) -> BloomStatus | None:
    try:
        info: dict[bytes, int] = await redis.execute_command("BF.INFO", key)  # type: ignore[no-untyped-call]
    except ResponseError:  # not found
        return None
    return BloomStatus(
        key=key,
        capacity=info[b"Capacity"],
        size_bytes=info[b"Size"],
        filters=info[b"Number of filters"],
        items_inserted=info[b"Number of items inserted"],
        expansion_rate=info.get(b"Expansion rate"),
    )


async def _dead_letters(redis: Redis, stream: str, count: int) -> DeadLettersStatus:
    total, latest = await asyncio.gather(redis.xlen(stream), dead_letters.latest(redis, stream, count))
    return DeadLettersStatus(stream=stream, count=total, latest=[_public(letter) for letter in latest])


def _public(letter: dead_letters.DeadLetter) -> DeadLetterPublic:
    return DeadLetterPublic.model_validate(letter, from_attributes=True)


@router.get("/ingestion", dependencies=[ReadKey])
async def read_ingestion(
    redis: RedisDep,
    keys: RedisKeysDep,
    latest: Annotated[int, Query(ge=0, le=100, description="How many of the newest dead letters.")] = 20,
) -> IngestionPublic:
    """Stream lengths, per group lag and pending, dead letters, the dedupe filter, last fetch per source."""
    streams, dead, bloom, fetches = await asyncio.gather(
        asyncio.gather(*(_stream(redis, name) for name in keys.streams)),
        _dead_letters(redis, keys.dead_letters, latest),
        _bloom(redis, keys.bloom),
        last_fetches(redis, prefix=keys.fetched_prefix),
    )
    sources = [SourceStatus(source=name, last_fetch_at=at) for name, at in sorted(fetches.items())]
    return IngestionPublic(streams=list(streams), dead_letters=dead, bloom=bloom, sources=sources)


def _entry_id(value: str) -> str:
    if any(int(part) >= 2**64 for part in value.split("-")):
        raise ValueError("is not a stream entry id")
    return value


EntryId = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,20}-[0-9]{1,20}$"), AfterValidator(_entry_id)]


class DeadLetterReplay(BaseModel):
    """Which dead letters to replay: these ids, or the oldest (of one group), at most `limit`."""

    ids: list[EntryId] = Field(default=[], max_length=1000, description="Dead-letter ids; empty: oldest.")
    group: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="Only dead letters of this consumer group."
    )
    limit: int = Field(default=100, ge=1, le=1000)


class ReplayedPublic(BaseModel):
    """A dead letter published again: where to, and its new entry id."""

    dead_letter_id: str
    stream: str
    group: str
    entry_id: str


class SkippedPublic(BaseModel):
    """A dead letter left alone, and why."""

    dead_letter_id: str
    reason: str


class ReplayPublic(BaseModel):
    """What a replay did, and how many dead letters remain."""

    replayed: list[ReplayedPublic]
    skipped: list[SkippedPublic]
    remaining: int


async def _select(
    redis: Redis, keys: RedisKeys, replay: DeadLetterReplay
) -> tuple[list[dead_letters.DeadLetter], list[SkippedPublic]]:
    """The dead letters to replay, and the ids asked for that will not be."""
    if not replay.ids:
        return await dead_letters.oldest(redis, keys.dead_letters, replay.limit, group=replay.group), []
    found = {letter.id: letter for letter in await dead_letters.by_ids(redis, keys.dead_letters, replay.ids)}
    letters: list[dead_letters.DeadLetter] = []
    skipped: list[SkippedPublic] = []
    for dead_letter_id in dict.fromkeys(replay.ids):
        letter = found.get(dead_letter_id)
        if letter is None:
            skipped.append(
                SkippedPublic(dead_letter_id=dead_letter_id, reason="not in the dead-letter stream")
            )
        elif replay.group is not None and letter.group != replay.group:
            skipped.append(SkippedPublic(dead_letter_id=dead_letter_id, reason=f"of group {letter.group!r}"))
        elif len(letters) == replay.limit:
            skipped.append(SkippedPublic(dead_letter_id=dead_letter_id, reason="over the limit"))
        else:
            letters.append(letter)
    return letters, skipped


async def _replay_one(redis: Redis, keys: RedisKeys, letter: dead_letters.DeadLetter) -> str:
    """The new entry id; ValueError says why the letter is not replayed."""
    if letter.stream not in keys.streams:
        raise ValueError(f"unknown stream {letter.stream!r}")
    if not letter.original:
        raise ValueError("the original entry was empty (deleted before it was processed)")
    entry_id = await dead_letters.replay(redis, keys.dead_letters, letter)
    if entry_id is None:
        raise ValueError("replayed meanwhile by another call")
    return entry_id


@router.post("/ingestion/dead-letters/replay", dependencies=[WriteKey])
async def replay_dead_letters(
    redis: RedisDep,
    keys: RedisKeysDep,
    replay: Annotated[DeadLetterReplay | None, Body()] = None,
) -> ReplayPublic:
    """Publish dead letters again to the stream they came from (original fields only), then delete them.

    Each entry is published and deleted in one atomic step that first checks it is still there, so a
    replay is never lost or doubled, even when two run at once. The persist and elastic groups both read
    the raw stream: an entry dead-lettered by one group is delivered to both again, which is harmless
    because both sinks are idempotent (Elasticsearch `_id` and PostgreSQL `ON CONFLICT`).
    """
    letters, skipped = await _select(redis, keys, replay or DeadLetterReplay())
    replayed: list[ReplayedPublic] = []
    for letter in letters:
        try:
            entry_id = await _replay_one(redis, keys, letter)
        except ValueError as error:
            skipped.append(SkippedPublic(dead_letter_id=letter.id, reason=str(error)))
        else:
            replayed.append(
                ReplayedPublic(
                    dead_letter_id=letter.id, stream=letter.stream, group=letter.group, entry_id=entry_id
                )
            )
    return ReplayPublic(replayed=replayed, skipped=skipped, remaining=await redis.xlen(keys.dead_letters))
