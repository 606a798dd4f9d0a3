"""Publish mentions to the raw stream once each: dedupe check and XADD in one server-side script per batch.

The script checks a mention's dedupe keys (`ingest.dedupe`) with BF.MEXISTS and, when none was seen,
XADDs the entry and BF.MADDs the keys before it looks at the next mention. So two ingesters racing on
the same mention publish it once, and a duplicate later in the same batch is caught too. The stream is
never trimmed here: the workers trim it once every group has read an entry.

In Redis Cluster a script may only touch keys of one hash slot: give the filter and the stream the same
hash tag, e.g. `{brandpulse}:seen` and `{brandpulse}:mentions`.
"""

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from brandpulse.contract import PAYLOAD_FIELD, RAW_STREAM, InvalidMention, Mention, encode
from brandpulse.settings import Settings
from ingest.dedupe import dedupe_keys, ensure_filter

log = logging.getLogger(__name__)

# KEYS: filter, stream. ARGV[1]: the batch as JSON, per mention [keys, [field, value, ...]]. Replies with
# each mention's new entry id, or "" when one of its keys was seen, joined by ",". Every check comes before
# the first write, so an error reply means nothing was written. XADD goes before BF.MADD: should a command
# fail midway, a mention is published twice rather than marked seen but never published.
PUBLISH_SCRIPT: Final = """
local filter, stream = KEYS[1], KEYS[2]
if redis.call('EXISTS', filter) == 0 then
  return redis.error_reply('NOFILTER the dedupe filter ' .. filter .. ' does not exist')
end
local replies = {}
for n, mention in ipairs(cjson.decode(ARGV[1])) do
  local keys, fields = mention[1], mention[2]
  local fresh = true
  for _, seen in ipairs(redis.call('BF.MEXISTS', filter, unpack(keys))) do
    if seen == 1 then fresh = false break end
  end
  if fresh then
    replies[n] = redis.call('XADD', stream, '*', unpack(fields))
    redis.call('BF.MADD', filter, unpack(keys))
  else
    replies[n] = ''
  end
end
return table.concat(replies, ',')
"""
BATCHES_PER_ROUND_TRIP: Final = 4  # EVALSHAs per pipeline
BATCH_MAX_CHARS: Final = 8 * 1024 * 1024  # a batch also ends once its payloads reach this size

Outcomes = list[tuple[str, str]]  # (mention id, its new entry id or "" when it was a duplicate)


@dataclass(frozen=True)
class PublishResult:
    """What `publish` did with each mention, by mention id."""

    published: dict[str, str] = field(default_factory=dict)  # mention id -> stream entry id, in order
    duplicates: list[str] = field(default_factory=list)  # a key of theirs was seen before (or in this call)
    invalid: dict[str, str] = field(default_factory=dict)  # mention id -> why it cannot travel; not published


class _Batch:
    """The mentions of one script run: their ids, and the script's argument."""

    def __init__(self, ids: list[str], entries: list[tuple[tuple[str, ...], list[str]]]) -> None:
        self.ids = ids
        self.script_arg = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))


class Publisher:
    """Publishes mentions to `stream` unless the dedupe filter `bloom_key` has seen one of their keys.

    `publish` sends `batches_per_round_trip` batches per pipeline and builds the next ones while Redis
    runs them, so encoding in Python and the scripts in Redis overlap.
    """

    def __init__(
        self,
        redis: Redis,
        settings: Settings,
        *,
        stream: str = RAW_STREAM,
        bloom_key: str | None = None,
        batches_per_round_trip: int = BATCHES_PER_ROUND_TRIP,
    ) -> None:
        self._redis = redis
        self._settings = settings
        self._keys = (bloom_key or settings.ingest_bloom_key, stream)
        self._batch_size = settings.ingest_publish_batch_size
        self._batches_per_round_trip = batches_per_round_trip
        self._sha: str | None = None

    async def publish(self, mentions: Iterable[Mention]) -> PublishResult:
        """Publish the mentions that are new, in order; says which were published, duplicate or invalid.

        While Redis is unreachable (a restart), the call is retried with back-off for up to
        `ingest_redis_retry_for_s`; mentions that went out before the error come back as duplicates.
        """
        batch, started, attempt = list(mentions), time.monotonic(), 0
        while True:
            try:
                return await self._publish(batch)
            except (RedisConnectionError, RedisTimeoutError) as error:
                if time.monotonic() - started > self._settings.ingest_redis_retry_for_s:
                    raise
                attempt += 1
                delay = min(5.0, 0.1 * 2**attempt)
                log.warning("Redis unavailable (%s); retrying %d mentions in %.1fs", error, len(batch), delay)
                await asyncio.sleep(delay)

    async def _publish(self, mentions: Sequence[Mention]) -> PublishResult:
        result = PublishResult()
        in_flight: asyncio.Task[Outcomes] | None = None
        try:
            async for group in self._groups(mentions, result.invalid):
                if in_flight:
                    _record(result, await in_flight)
                in_flight = asyncio.create_task(self._run(group))
            if in_flight:
                _record(result, await in_flight)
        finally:
            if in_flight and not in_flight.done():
                in_flight.cancel()
        return result

    async def _groups(
        self, mentions: Iterable[Mention], invalid: dict[str, str]
    ) -> AsyncIterator[list[_Batch]]:
        """Groups of batches for one pipeline each; the next group is built while the last one runs."""
        group: list[_Batch] = []
        for batch in self._batches(mentions, invalid):
            group.append(batch)
            if len(group) == self._batches_per_round_trip:
                yield group
                group = []
            await asyncio.sleep(0)  # between batches, let the group in flight go out and other tasks run
        if group:
            yield group

    def _batches(self, mentions: Iterable[Mention], invalid: dict[str, str]) -> Iterator[_Batch]:
        ids: list[str] = []
        entries: list[tuple[tuple[str, ...], list[str]]] = []
        chars = 0
        for mention in mentions:
            try:
                fields = encode(mention)
            except InvalidMention as exc:
                invalid[mention.id] = exc.reason
                continue
            ids.append(mention.id)
            entries.append((dedupe_keys(mention), [item for pair in fields.items() for item in pair]))
            chars += len(fields[PAYLOAD_FIELD])
            if len(ids) == self._batch_size or chars >= BATCH_MAX_CHARS:
                yield _Batch(ids, entries)
                ids, entries, chars = [], [], 0
        if ids:
            yield _Batch(ids, entries)

    async def _run(self, group: Sequence[_Batch]) -> Outcomes:
        """What became of each mention; runs batches that failed for want of the script or filter again."""
        replies = await self._evalsha(group)
        retry = [n for n, reply in enumerate(replies) if _recoverable(reply)]
        if retry:
            await self._prepare()
            for n, reply in zip(retry, await self._evalsha([group[n] for n in retry]), strict=True):
                replies[n] = reply
        return [
            outcome
            for batch, reply in zip(group, replies, strict=True)
            for outcome in _outcomes(batch, reply)
        ]

    async def _evalsha(self, group: Sequence[_Batch]) -> list[bytes | Exception]:
        sha = self._sha or await self._prepare()
        async with self._redis.pipeline(transaction=False) as pipe:
            for batch in group:
                pipe.evalsha(sha, len(self._keys), *self._keys, batch.script_arg)
            replies: list[bytes | Exception] = await pipe.execute(raise_on_error=False)
        return replies

    async def _prepare(self) -> str:
        """Create the filter if it is missing and load the script (again); returns the script's SHA1."""
        settings = self._settings
        await ensure_filter(
            self._redis,
            self._keys[0],
            error_rate=settings.ingest_bloom_error_rate,
            capacity=settings.ingest_bloom_capacity,
        )
        self._sha = await self._redis.script_load(PUBLISH_SCRIPT)
        return self._sha


def _recoverable(reply: object) -> bool:
    return isinstance(reply, NoScriptError) or (
        isinstance(reply, ResponseError) and str(reply).startswith("NOFILTER")
    )


def _outcomes(batch: _Batch, reply: bytes | Exception) -> Outcomes:
    if isinstance(reply, Exception):
        raise reply
    return list(zip(batch.ids, reply.decode().split(","), strict=True))


def _record(result: PublishResult, outcomes: Outcomes) -> None:
    for mention_id, entry_id in outcomes:
        if entry_id:
            result.published[mention_id] = entry_id
        else:
            result.duplicates.append(mention_id)
