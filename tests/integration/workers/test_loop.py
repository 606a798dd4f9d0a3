"""The shared stream worker loop on the real Redis: ack after commit, claim, retry, dead-letter, stop."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from redis.asyncio import Redis

from brandpulse.contract import InvalidMention
from workers.loop import Fields, LoopConfig, Outcome, RetryLater, StreamWorker


def number(fields: Fields) -> int:
    """The test payload: one integer field `n`."""
    try:
        return int(fields[b"n"])
    except (KeyError, ValueError):
        raise InvalidMention("field 'n' is not an integer") from None


class Sink:
    """A sink that records what it committed, and can be told to fail."""

    def __init__(self) -> None:
        self.committed: list[int] = []
        self.batches: list[list[str]] = []
        self.down_for = 0  # calls that raise RetryLater
        self.poison: set[int] = set()  # values that always fail
        self.reject: set[int] = set()  # values that are invalid

    async def __call__(self, items: Sequence[tuple[str, int]]) -> Outcome:
        self.batches.append([entry_id for entry_id, _ in items])
        if self.down_for:
            self.down_for -= 1
            raise RetryLater("sink is down")
        done = [entry_id for entry_id, n in items if n not in self.poison | self.reject]
        self.committed += [n for _, n in items if n not in self.poison | self.reject]
        return Outcome(
            done=done,
            invalid={entry_id: f"{n} is rejected" for entry_id, n in items if n in self.reject},
            failed={entry_id: f"{n} crashed the sink" for entry_id, n in items if n in self.poison},
        )


@pytest.fixture
def names(unique: str) -> dict[str, Any]:
    return {"stream": f"test:{unique}:raw", "dead_letters": f"test:{unique}:dead", "groups": ("one", "two")}


@pytest.fixture
async def clean(redis: Redis, names: dict[str, Any]) -> AsyncIterator[None]:
    yield
    await redis.delete(names["stream"], names["dead_letters"])


def make_worker(
    redis: Redis, names: dict[str, Any], sink: Sink, consumer: str = "c1", **config: Any
) -> StreamWorker[int]:
    knobs: dict[str, Any] = {"batch_size": 10, "flush_after_s": 0.05, "block_ms": 50, "retry_max_s": 0.05}
    return StreamWorker(
        redis,
        stream=names["stream"],
        group="one",
        groups=names["groups"],
        decode=number,
        handle=sink,
        config=LoopConfig(**{**knobs, **config}, consumer=consumer),
        dead_letters=names["dead_letters"],
    )


async def publish(redis: Redis, stream: str, values: range | list[int]) -> list[str]:
    return [(await redis.xadd(stream, {"n": str(n)})).decode() for n in values]


async def pending(redis: Redis, stream: str, group: str = "one") -> int:
    return int((await redis.xpending(stream, group))["pending"])


async def dead_letters(redis: Redis, stream: str) -> list[dict[bytes, bytes]]:
    entries: Any = await redis.xrange(stream)
    return [fields for _, fields in entries]


@pytest.mark.usefixtures("clean")
async def test_everything_published_before_the_group_existed_is_processed_once_in_batches(
    redis: Redis, names: dict[str, Any]
) -> None:
    await publish(redis, names["stream"], range(25))
    sink = Sink()
    stats = await make_worker(redis, names, sink).run(burst=True)

    assert sorted(sink.committed) == list(range(25))
    assert max(len(batch) for batch in sink.batches) == 10
    assert (stats.processed, stats.dead_lettered) == (25, 0)
    assert await pending(redis, names["stream"]) == 0
    assert {info["name"] for info in await redis.xinfo_groups(names["stream"])} == {b"one", b"two"}
    assert await redis.xlen(names["stream"]) == 25  # group "two" has read nothing: no trim


@pytest.mark.usefixtures("clean")
async def test_undecodable_and_invalid_entries_are_dead_lettered_with_reason_and_acked(
    redis: Redis, names: dict[str, Any]
) -> None:
    await publish(redis, names["stream"], [1, 2])
    bad = (await redis.xadd(names["stream"], {"n": "not a number"})).decode()
    sink = Sink()
    sink.reject = {2}
    await make_worker(redis, names, sink).run(burst=True)

    letters = {
        letter[b"dlq_entry_id"].decode(): letter
        for letter in await dead_letters(redis, names["dead_letters"])
    }
    assert sink.committed == [1]
    assert letters[bad][b"dlq_reason"] == b"cannot decode: field 'n' is not an integer"
    assert letters[bad][b"n"] == b"not a number"  # the original fields travel along
    assert (letters[bad][b"dlq_group"], letters[bad][b"dlq_stream"]) == (b"one", names["stream"].encode())
    assert [letter[b"dlq_reason"] for letter in letters.values() if letter[b"n"] == b"2"] == [
        b"2 is rejected"
    ]
    assert await pending(redis, names["stream"]) == 0


@pytest.mark.usefixtures("clean")
async def test_an_entry_that_keeps_failing_is_dead_lettered_after_max_tries(
    redis: Redis, names: dict[str, Any]
) -> None:
    await publish(redis, names["stream"], range(5))
    sink = Sink()
    sink.poison = {3}
    stats = await make_worker(redis, names, sink, max_tries=3).run(burst=True)

    letters = await dead_letters(redis, names["dead_letters"])
    assert sorted(sink.committed) == [0, 1, 2, 4]
    assert [letter[b"dlq_reason"] for letter in letters] == [
        b"gave up after 3 deliveries: 3 crashed the sink"
    ]
    assert sum(1 for batch in sink.batches for _ in batch) == 5 + 2  # the poison entry was tried 3 times
    assert stats.dead_lettered == 1
    assert await pending(redis, names["stream"]) == 0


@pytest.mark.usefixtures("clean")
async def test_while_the_sink_is_down_the_same_batch_is_retried_and_nothing_new_is_read(
    redis: Redis, names: dict[str, Any]
) -> None:
    first = await publish(redis, names["stream"], range(3))
    sink = Sink()
    sink.down_for = 3
    worker = make_worker(redis, names, sink, batch_size=3)
    stats = await worker.run(burst=True)

    assert sink.batches[:4] == [first] * 4
    assert sorted(sink.committed) == [0, 1, 2]
    assert stats.retried == 9
    deliveries = await redis.xpending_range(names["stream"], "one", "-", "+", 10)
    assert deliveries == []  # all acked; none was redelivered to count towards max_tries


@pytest.mark.usefixtures("clean")
async def test_entries_of_a_dead_consumer_are_claimed_after_min_idle(
    redis: Redis, names: dict[str, Any]
) -> None:
    await publish(redis, names["stream"], range(4))
    dead = make_worker(redis, names, Sink(), consumer="dead")
    await dead.ensure_groups()
    await redis.xreadgroup("one", "dead", {names["stream"]: ">"}, count=4)  # read, then "crash"
    assert await pending(redis, names["stream"]) == 4
    await asyncio.sleep(0.15)

    sink = Sink()
    await make_worker(redis, names, sink, consumer="alive", min_idle_ms=100).run(burst=True)

    assert sorted(sink.committed) == [0, 1, 2, 3]
    assert await pending(redis, names["stream"]) == 0


@pytest.mark.usefixtures("clean")
async def test_stop_finishes_and_acks_the_batch_in_hand(redis: Redis, names: dict[str, Any]) -> None:
    await publish(redis, names["stream"], range(30))
    started, release = asyncio.Event(), asyncio.Event()
    sink = Sink()

    async def slow(items: Sequence[tuple[str, int]]) -> Outcome:
        started.set()
        await release.wait()
        return await sink(items)

    worker = make_worker(redis, names, sink)
    worker.handle = slow
    running = asyncio.create_task(worker.run())
    await started.wait()
    worker.stop()
    release.set()
    await asyncio.wait_for(running, timeout=5)

    assert len(sink.committed) == 10  # the batch in hand, and nothing after it
    info = {i["name"]: i for i in await redis.xinfo_groups(names["stream"])}
    assert (info[b"one"]["pending"], info[b"one"]["lag"]) == (0, 20)


@pytest.mark.usefixtures("clean")
async def test_stop_during_back_off_acks_nothing(redis: Redis, names: dict[str, Any]) -> None:
    await publish(redis, names["stream"], range(3))
    sink = Sink()
    sink.down_for = 1000
    worker = make_worker(redis, names, sink, retry_max_s=5.0)
    running = asyncio.create_task(worker.run())
    while not sink.batches:  # noqa: ASYNC110 - polling a plain list the sink fills
        await asyncio.sleep(0.01)
    worker.stop()
    await asyncio.wait_for(running, timeout=5)

    assert sink.committed == []
    assert await pending(redis, names["stream"]) == 3  # still ours to redeliver
