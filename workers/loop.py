"""The stream worker loop both workers share: the one place that speaks XREADGROUP, XAUTOCLAIM and XACK.

Delivery is at-least-once: an entry is acked only after the handler says its sink committed it, so
sinks must be idempotent. While the sink is down (`RetryLater`) the batch in hand is retried with capped
exponential back-off and nothing new is read. An entry that cannot be decoded is dead-lettered at once;
one the handler keeps failing is dead-lettered after `max_tries` deliveries.
"""

import asyncio
import logging
import os
import random
import socket
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from brandpulse import logs
from brandpulse.contract import DEAD_LETTER_STREAM, InvalidMention
from brandpulse.settings import Settings
from workers import metrics
from workers.trim import entry_order, trim_acknowledged

T = TypeVar("T")
log = logging.getLogger(__name__)
Fields = dict[bytes, bytes]


class RetryLater(Exception):
    """The sink cannot take the batch now (it is down or overloaded): back off, retry, read nothing new."""


@dataclass(frozen=True)
class Outcome:
    """What the handler did with a batch. Entries in neither `done` nor `invalid` are retried later."""

    done: Sequence[str]  # committed by the sink: ack
    invalid: Mapping[str, str] = field(default_factory=dict)  # entry id -> reason: dead-letter now
    failed: Mapping[str, str] = field(default_factory=dict)  # entry id -> reason: retry, then dead-letter


Handler = Callable[[Sequence[tuple[str, T]]], Awaitable[Outcome]]


@dataclass
class Stats:
    """Counters for metrics and logs."""

    processed: int = 0
    retried: int = 0
    dead_lettered: int = 0
    batches: int = 0
    last_batch_size: int = 0
    last_batch_s: float = 0.0


@dataclass(frozen=True)
class LoopConfig:
    """The loop's knobs (from settings), each with its unit."""

    batch_size: int
    flush_after_s: float
    block_ms: int = 1000
    min_idle_ms: int = 60_000
    max_tries: int = 5
    retry_max_s: float = 30.0
    trim_every_s: float = 60.0
    consumer: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")

    @classmethod
    def from_settings(cls, settings: Settings, batch_size: int, flush_after_s: float) -> "LoopConfig":
        """The shared knobs from settings, with a worker's own batch size and flush time."""
        config = cls(
            batch_size=batch_size,
            flush_after_s=flush_after_s,
            block_ms=settings.worker_block_ms,
            min_idle_ms=settings.worker_min_idle_ms,
            max_tries=settings.worker_max_tries,
            retry_max_s=settings.worker_retry_max_s,
            trim_every_s=settings.worker_trim_every_s,
        )
        return replace(config, consumer=settings.worker_consumer) if settings.worker_consumer else config


class StreamWorker(Generic[T]):
    """Reads `stream` as `group`, hands decoded batches to `handle`, acks what it committed."""

    def __init__(
        self,
        redis: Redis,
        *,
        stream: str,
        group: str,
        groups: Sequence[str],
        decode: Callable[[Fields], T],
        handle: Handler[T],
        config: LoopConfig,
        dead_letters: str = DEAD_LETTER_STREAM,
    ) -> None:
        self.redis, self.stream, self.group, self.groups = redis, stream, group, groups
        self.decode, self.handle, self.config, self.dead_letters = decode, handle, config, dead_letters
        self.stats = Stats()
        self._stopping = asyncio.Event()
        self._own_pending = True  # on start, re-read what this consumer name had in hand before
        self._errors: dict[str, str] = {}  # last failure per entry, for the dead-letter reason
        self._next_claim = time.monotonic()
        self._next_trim = self._next_claim + self.config.trim_every_s  # then every interval, restarts or not
        self._claim_cursor = "0-0"  # where the next XAUTOCLAIM resumes its scan of the pending list
        self._failing = 0  # consecutive batches that left entries to retry

    def stop(self) -> None:
        """Finish the batch in hand, ack it, and return from `run` (SIGTERM calls this)."""
        self._stopping.set()

    async def run(self, *, burst: bool = False) -> Stats:
        """Process until stopped; with `burst`, until nothing is left to read, claim or retry."""
        await self.ensure_groups()
        outage = 0
        while not self._stopping.is_set():
            try:
                entries = await self._next_batch(block=not burst)
                if entries:
                    with logs.fields(batch_id=entries[0][0], stream=self.stream, group=self.group):
                        await self._process(entries)
                elif burst:
                    break
                if time.monotonic() >= self._next_trim:
                    await self._trim()
                outage = 0
            except (RedisConnectionError, RedisTimeoutError) as error:  # a Redis restart: wait it out
                outage += 1
                self._own_pending = True  # what was in hand stays pending: re-read it first
                delay = self._backoff(outage)
                log.warning("Redis unavailable (%s); retrying in %.1f s", error, delay)
                await self._sleep(delay)
        return self.stats

    async def ensure_groups(self) -> None:
        """Create every group this stream needs, from its start, so nothing published earlier is missed."""
        for group in self.groups:
            try:
                await self.redis.xgroup_create(self.stream, group, id="0", mkstream=True)
            except ResponseError as error:
                if "BUSYGROUP" not in str(error):
                    raise

    async def lag(self) -> int:
        """Entries in the stream this group has not been delivered yet."""
        for info in await self.redis.xinfo_groups(self.stream):
            if info["name"].decode() == self.group:
                return int(info.get("lag") or 0)
        return 0

    async def _next_batch(self, *, block: bool) -> list[tuple[str, Fields]]:
        if self._own_pending:
            entries = await self._read("0", block_ms=None)
            self._own_pending = bool(entries)
            if entries:
                return entries
        if time.monotonic() >= self._next_claim:
            claimed = await self._claim_stale()
            if claimed:
                return claimed
        entries = await self._read(">", block_ms=self.config.block_ms if block else None)
        deadline = time.monotonic() + self.config.flush_after_s
        while entries and len(entries) < self.config.batch_size and not self._stopping.is_set():
            wait_ms = int((deadline - time.monotonic()) * 1000)
            if wait_ms <= 0:
                break
            more = await self._read(">", block_ms=wait_ms, count=self.config.batch_size - len(entries))
            entries += more
        return entries

    async def _read(self, start: str, *, block_ms: int | None, count: int = 0) -> list[tuple[str, Fields]]:
        reply: Any = await self.redis.xreadgroup(
            self.group,
            self.config.consumer,
            {self.stream: start},
            count=count or self.config.batch_size,
            block=block_ms,
        )
        return [(entry_id.decode(), fields) for _, entries in reply or [] for entry_id, fields in entries]

    async def _claim_stale(self) -> list[tuple[str, Fields]]:
        """Take over entries idle too long with consumers that died (XAUTOCLAIM).

        The scan resumes where the last one stopped; once it has found nothing, the next comes only
        after half of `min_idle_ms`, so the hot path is not charged a claim per batch.
        """
        reply: Any = await self.redis.xautoclaim(
            self.stream,
            self.group,
            self.config.consumer,
            min_idle_time=self.config.min_idle_ms,
            start_id=self._claim_cursor,
            count=self.config.batch_size,
        )
        cursor = reply[0]
        self._claim_cursor = cursor.decode() if isinstance(cursor, bytes) else str(cursor)
        entries = [(entry_id.decode(), fields) for entry_id, fields in reply[1] if fields is not None]
        if entries:
            log.info("claimed %d stale entries from %s/%s", len(entries), self.stream, self.group)
        elif self._claim_cursor == "0-0":  # a whole scan found nothing
            self._next_claim = time.monotonic() + self.config.min_idle_ms / 2000
        return entries

    async def _process(self, entries: list[tuple[str, Fields]]) -> None:
        started = time.monotonic()
        deliveries = await self._deliveries([entry_id for entry_id, _ in entries])
        dead: dict[str, str] = {}
        items: list[tuple[str, T]] = []
        for entry_id, fields in entries:
            tries = deliveries.get(entry_id, 1)
            if not fields:
                dead[entry_id] = "entry was deleted from the stream before it was processed"
            elif tries > self.config.max_tries:
                last = self._errors.get(entry_id, "unknown error")
                dead[entry_id] = f"gave up after {tries - 1} deliveries: {last}"
            else:
                try:
                    items.append((entry_id, self.decode(fields)))
                except InvalidMention as error:
                    dead[entry_id] = f"cannot decode: {error.reason}"
        outcome = await self._handle_until_committed(items) if items else Outcome(done=[])
        dead.update(outcome.invalid)
        fields_by_id = dict(entries)
        await self._dead_letter(
            {entry_id: (reason, fields_by_id[entry_id]) for entry_id, reason in dead.items()}
        )
        await self._ack(outcome.done)
        if self._record(entries, outcome, dead, started):
            self._failing += 1
            await self._sleep(self._backoff(self._failing))  # let a struggling sink breathe
        else:
            self._failing = 0

    async def _handle_until_committed(self, items: list[tuple[str, T]]) -> Outcome:
        """Call the handler; while it raises RetryLater, back off and retry the same batch."""
        attempt = 0
        while True:
            try:
                return await self.handle(items)
            except RetryLater as error:
                attempt += 1
                self.stats.retried += len(items)
                metrics.RETRIED.labels(self.stream, self.group).inc(len(items))
                delay = self._backoff(attempt)
                log.warning("sink unavailable (%s); retrying %d entries in %.1f s", error, len(items), delay)
                if await self._sleep(delay):
                    return Outcome(done=[])  # stopping: nothing acked, all stays pending

    def _record(
        self, entries: list[tuple[str, Fields]], outcome: Outcome, dead: Mapping[str, str], started: float
    ) -> int:
        """Update counters and failure reasons; returns how many entries are left to retry."""
        for entry_id in [*outcome.done, *dead]:
            self._errors.pop(entry_id, None)
        self._errors.update(outcome.failed)
        left = len(entries) - len(outcome.done) - len(dead)
        if left:
            self._own_pending = True  # re-read (and so re-count) them after a pause
            self.stats.retried += left
        self.stats.processed += len(outcome.done)
        self.stats.dead_lettered += len(dead)
        self.stats.batches += 1
        self.stats.last_batch_size = len(entries)
        self.stats.last_batch_s = time.monotonic() - started
        metrics.record_batch(
            self.stream, self.group, size=len(entries), done=len(outcome.done), retried=left,
            dead=len(dead), seconds=self.stats.last_batch_s,
        )  # fmt: skip
        return left

    async def _deliveries(self, entry_ids: list[str]) -> dict[str, int]:
        """Times each entry was delivered to this group (only pending-list reads redeliver)."""
        if not entry_ids:
            return {}
        first, last = min(entry_ids, key=entry_order), max(entry_ids, key=entry_order)
        pending: Any = await self.redis.xpending_range(
            self.stream, self.group, first, last, len(entry_ids) * 2
        )
        return {row["message_id"].decode(): int(row["times_delivered"]) for row in pending}

    async def _dead_letter(self, dead: Mapping[str, tuple[str, Fields]]) -> None:
        """Write each entry with its reason to the dead-letter stream and ack it, atomically."""
        if not dead:
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            for entry_id, (reason, fields) in dead.items():
                log.warning("dead-lettering %s/%s %s: %s", self.stream, self.group, entry_id, reason)
                letter: dict[Any, Any] = {**(fields or {}), **self._dead_letter_fields(entry_id, reason)}
                pipe.xadd(self.dead_letters, letter)
            pipe.xack(self.stream, self.group, *dead)
            await pipe.execute()

    def _dead_letter_fields(self, entry_id: str, reason: str) -> dict[bytes, bytes]:
        return {
            b"dlq_reason": reason.encode(),
            b"dlq_stream": self.stream.encode(),
            b"dlq_group": self.group.encode(),
            b"dlq_entry_id": entry_id.encode(),
            b"dlq_consumer": self.config.consumer.encode(),
            b"dlq_at": datetime.now(UTC).isoformat().encode(),
        }

    async def _ack(self, entry_ids: Sequence[str]) -> None:
        if entry_ids:
            await self.redis.xack(self.stream, self.group, *entry_ids)

    async def _trim(self) -> None:
        self._next_trim = time.monotonic() + self.config.trim_every_s
        try:
            await trim_acknowledged(self.redis, self.stream, self.groups)
        except RedisError as error:
            log.warning("stream trim skipped: %s", error)

    def _backoff(self, attempt: int) -> float:
        """Capped exponential back-off with full jitter."""
        return random.uniform(0, min(self.config.retry_max_s, 0.1 * 2**attempt))

    async def _sleep(self, seconds: float) -> bool:
        """Sleep unless asked to stop; True when stopping."""
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            return False
        return True
