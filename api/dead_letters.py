"""Dead letters: read the latest, and replay them to the stream they came from.

A worker writes each entry it gives up on to the dead-letter stream with its original fields plus
`dlq_*` fields saying why, from which stream and group, when (`workers.loop`). A replay XADDs the
original fields back to that stream and XDELs the dead letter in one server-side script per entry that
first checks the dead letter is still there. A script rather than MULTI/EXEC: MULTI cannot check, so two
concurrent replays of one entry would both publish it, and it runs the XDEL even when the XADD failed.
The script does the XADD before the XDEL and stops at an error, so a replay is never lost or doubled.

In Redis Cluster the dead-letter stream and the streams share a hash tag, as the publisher's keys do.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from redis.asyncio import Redis

DLQ_PREFIX: Final = b"dlq_"
SCAN_COUNT: Final = 200  # dead letters read per XRANGE while looking for matches
# KEYS: dead-letter stream, target stream. ARGV: the dead letter's id, then its original field, value, ...
REPLAY_SCRIPT: Final = """
if #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1]) == 0 then return false end
local entry_id = redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
redis.call('XDEL', KEYS[1], ARGV[1])
return entry_id
"""
Fields = dict[bytes, bytes]


@dataclass(frozen=True)
class DeadLetter:
    """One dead letter: its id, the `dlq_*` facts, and the original entry's fields."""

    id: str
    reason: str
    stream: str
    group: str
    entry_id: str
    consumer: str
    at: datetime | None
    original: Fields

    @classmethod
    def parse(cls, dead_letter_id: bytes | str, fields: Fields) -> "DeadLetter":
        """A dead letter from its stream entry (missing `dlq_*` fields read as empty)."""

        def dlq(name: str) -> str:
            return fields.get(DLQ_PREFIX + name.encode(), b"").decode(errors="replace")

        at = dlq("at")
        return cls(
            id=dead_letter_id.decode() if isinstance(dead_letter_id, bytes) else dead_letter_id,
            reason=dlq("reason"),
            stream=dlq("stream"),
            group=dlq("group"),
            entry_id=dlq("entry_id"),
            consumer=dlq("consumer"),
            at=_datetime(at),
            original={k: v for k, v in fields.items() if not k.startswith(DLQ_PREFIX)},
        )


def _datetime(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


async def latest(redis: Redis, stream: str, count: int) -> list[DeadLetter]:
    """The `count` newest dead letters, newest first."""
    if count == 0:
        return []
    entries: Any = await redis.xrevrange(stream, count=count)
    return [DeadLetter.parse(entry_id, fields) for entry_id, fields in entries]


async def by_ids(redis: Redis, stream: str, ids: Sequence[str]) -> list[DeadLetter]:
    """The dead letters with these ids that are still in the stream, in the order asked."""
    async with redis.pipeline(transaction=False) as pipe:
        for entry_id in ids:
            pipe.xrange(stream, entry_id, entry_id)
        replies: list[Any] = await pipe.execute()
    return [DeadLetter.parse(*reply[0]) for reply in replies if reply]


async def oldest(redis: Redis, stream: str, limit: int, *, group: str | None = None) -> list[DeadLetter]:
    """Up to `limit` dead letters, oldest first, only `group`'s when given."""
    found: list[DeadLetter] = []
    start = "-"
    while len(found) < limit:
        entries: Any = await redis.xrange(stream, start, "+", count=SCAN_COUNT)
        letters = [DeadLetter.parse(entry_id, fields) for entry_id, fields in entries]
        found += [letter for letter in letters if group is None or letter.group == group]
        if len(entries) < SCAN_COUNT:
            break
        start = "(" + letters[-1].id
    return found[:limit]


async def replay(redis: Redis, stream: str, letter: DeadLetter) -> str | None:
    """Publish the dead letter's original fields to its stream and delete it, atomically.

    Returns the new entry id, or None when the dead letter was gone (replayed already by someone else).
    """
    args: list[bytes | str] = [letter.id, *(item for pair in letter.original.items() for item in pair)]
    reply: Any = await redis.eval(REPLAY_SCRIPT, 2, stream, letter.stream, *args)
    return reply.decode() if isinstance(reply, bytes) else None
