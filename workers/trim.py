"""Safe stream trimming: never past an entry that some consumer group has not acknowledged."""

from collections.abc import Sequence

from redis.asyncio import Redis


async def trim_acknowledged(redis: Redis, stream: str, groups: Sequence[str]) -> int:
    """Trim `stream` below the oldest entry any of `groups` still has pending or undelivered.

    Every group in `groups` must exist: a missing one has not read anything yet, so nothing is
    trimmed. Trimming is approximate (whole radix-tree nodes), so it only ever removes less.
    Returns the number of entries removed.
    """
    infos = {info["name"].decode(): info for info in await redis.xinfo_groups(stream)}
    if any(group not in infos for group in groups):
        return 0
    floors = [await _floor(redis, stream, group, infos[group]) for group in groups]
    if not floors:
        return 0
    return int(await redis.xtrim(stream, minid=min(floors, key=entry_order), approximate=True))


async def _floor(redis: Redis, stream: str, group: str, info: dict[str, object]) -> str:
    """The oldest entry this group may still need: its oldest pending one, else its last delivered."""
    if int(str(info["pending"])):
        summary = await redis.xpending(stream, group)
        return str(summary["min"].decode())
    last = info["last-delivered-id"]
    return last.decode() if isinstance(last, bytes) else str(last)


def entry_order(entry_id: str) -> tuple[int, int]:
    """A sort key for stream entry ids (`<ms>-<seq>`)."""
    milliseconds, _, sequence = entry_id.partition("-")
    return int(milliseconds), int(sequence or 0)
