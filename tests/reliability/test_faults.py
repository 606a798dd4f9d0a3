"""Proof under fire: the whole pipeline under load while its parts fail; nothing lost, nothing doubled.

Each scenario runs the simulator ingester at a steady rate against the running workers and API, injects
its fault, waits for the pipeline to drain by itself, then checks the stores (`checks.verify`).
`BRANDPULSE_FAULT_OUTAGE_S` sets how long a server stays down (default 30 s), `BRANDPULSE_FAULT_MENTIONS`
the simulator's mentions per scenario (default 450, 30 s at 15/s); `make soak` raises both.
"""

import asyncio
import os
import random
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import httpx

from brandpulse.contract import DEAD_LETTER_STREAM, RAW_STREAM, Mention, encode
from tests.reliability.checks import TABLE, Row, dead_letters_since, mentions_of, verify
from tests.reliability.faulty_elastic_worker import CRASH, REJECT
from tests.reliability.rig import Rig

OUTAGE_S = float(os.environ.get("BRANDPULSE_FAULT_OUTAGE_S", "30"))
COUNT = int(os.environ.get("BRANDPULSE_FAULT_MENTIONS", "450"))  # per scenario: 30 s of load
RATE_PER_MINUTE = 900  # 15 mentions/s
Fault = Callable[[Rig], Coroutine[Any, Any, None]]


async def last_id(rig: Rig, stream: str) -> bytes:
    newest: Any = await rig.redis.xrevrange(stream, count=1)
    return bytes(newest[0][0]) if newest else b"0-0"


async def sample_lag(rig: Rig, lags: list[int]) -> None:
    while True:
        lag = await rig.api_lag()
        if lag is not None:
            lags.append(lag)
        await asyncio.sleep(0.5)


async def run_load(rig: Rig, seed: int, fault: Fault | None = None) -> tuple[int, list[int], float]:
    """The simulator's load with `fault` alongside; returns (published, lag samples, seconds to drain)."""
    lags: list[int] = []
    sampler = asyncio.create_task(sample_lag(rig, lags))
    injected = asyncio.create_task(fault(rig)) if fault else None
    try:
        published = await rig.ingest(seed=seed, count=COUNT, posts_per_minute=RATE_PER_MINUTE)
        if injected:
            await injected
        drain_s = await rig.wait_drained(timeout_s=240)
    finally:
        sampler.cancel()
    async with httpx.AsyncClient(base_url=rig.api_url, timeout=5) as http:
        assert (await http.get("/api/health")).status_code == 200, "the API did not recover"
    return published, lags, drain_s


async def scenario(
    rig: Rig, name: str, seed: int, fault: Fault | None = None, not_enriched: frozenset[str] = frozenset()
) -> tuple[Row, list[dict[bytes, bytes]]]:
    """Run one scenario and check the invariants; returns its table row and its dead letters."""
    raw_before, dead_before = await last_id(rig, RAW_STREAM), await last_id(rig, DEAD_LETTER_STREAM)
    published, lags, drain_s = await run_load(rig, seed, fault)
    entries: Any = await rig.redis.xrange(RAW_STREAM, min=b"(" + raw_before)
    mentions, in_es, in_pg = await verify(rig, entries, not_enriched=not_enriched)
    letters = await dead_letters_since(rig, dead_before)
    assert all(letter[b"dlq_reason"] for letter in letters)
    row = Row(name, mentions, in_es, in_pg, len(letters), max(lags, default=0), drain_s)
    TABLE.append(row)
    assert published <= len(entries), "the ingester counted a mention the stream does not hold"
    return row, letters


async def kill_workers(rig: Rig) -> None:
    """`kill -9` the elastic worker, then the persist worker, twice each, at random moments."""
    rng = random.Random(1)
    for _ in range(2):
        for name in ("elastic", "persist"):
            await asyncio.sleep(rng.uniform(2, 6))
            rig.services[name].kill9()
            rig.services[name].start()


def outage(server: str, seconds: float) -> Fault:
    """Stop a stack server a few seconds into the load, start it again `seconds` later."""

    async def fault(rig: Rig) -> None:
        await asyncio.sleep(5)
        part = rig.component(server)
        await asyncio.to_thread(part.down)
        await asyncio.sleep(seconds)
        await asyncio.to_thread(part.up, 120.0)

    return fault


async def test_workers_killed_mid_load(rig: Rig) -> None:
    _, letters = await scenario(rig, "kill -9 workers (2x each)", 101, kill_workers)
    assert letters == []
    assert rig.services["elastic"].starts == 3


async def test_elasticsearch_down_30s(rig: Rig) -> None:
    _, letters = await scenario(
        rig, f"ES-API server down {OUTAGE_S:.0f} s", 102, outage("elasticsearch", OUTAGE_S)
    )
    assert letters == []


async def test_postgres_down_30s(rig: Rig) -> None:
    _, letters = await scenario(rig, f"PostgreSQL down {OUTAGE_S:.0f} s", 103, outage("postgres", OUTAGE_S))
    assert letters == []


async def test_redis_restarted(rig: Rig) -> None:
    _, letters = await scenario(rig, "Redis restarted (AOF on)", 104, outage("redis", 3))
    assert letters == []


def poison_entries() -> tuple[list[dict[Any, Any]], frozenset[str]]:
    """Entries no worker can take (bad JSON, an unknown version, not a mention), two mentions a fault
    hits (a model crash, a document Elasticsearch rejects) and hard but valid texts; and the two ids."""
    now = datetime.now(UTC)

    def mention(name: str, body: str) -> Mention:
        external_id = f"{name}-{time.time_ns()}"
        return Mention(
            source="simulator",
            external_id=external_id,
            text=body,
            published_at=now,
            fetched_at=now,
            brand_ids=(1,),
        )

    crash, reject = mention("crash", f"Acme {CRASH} shoes"), mention("reject", f"Acme {REJECT} shoes")
    hard = ["the of and a to", "😀" * 500, "Acme\x07\u202e reversed", "Acme " * 19_000]
    bad = [
        {"v": "1", "payload": "{not json"},
        {"v": "9", "payload": "{}"},
        {"v": "1", "payload": '{"source": "x"}'},
    ]
    valid = [crash, reject, *(mention(f"hard-{n}", body) for n, body in enumerate(hard))]
    return [*bad, *(encode(m) for m in valid)], frozenset({crash.id, reject.id})


async def test_poison_entries_mixed_into_the_load(rig: Rig) -> None:
    entries, faulty = poison_entries()

    async def fault(rig: Rig) -> None:
        await asyncio.sleep(5)
        for fields in entries:
            await rig.redis.xadd(RAW_STREAM, fields)

    _, letters = await scenario(rig, "poison entries (3 bad, 2 faulty)", 105, fault, not_enriched=faulty)
    reasons = sorted((letter[b"dlq_group"].decode(), letter[b"dlq_reason"].decode()) for letter in letters)
    assert [group for group, _ in reasons] == ["elastic"] * 5 + ["persist"] * 3
    text = "\n".join(reason for _, reason in reasons)
    assert text.count("cannot decode: payload is not valid JSON") == 2
    assert text.count("unsupported schema version '9'") == 2
    assert text.count("the keyword model crashed on this text") == 1
    assert text.count("rejected by Elasticsearch") == 1


async def test_the_same_mentions_published_again(rig: Rig) -> None:
    raw_before = await last_id(rig, RAW_STREAM)
    await scenario(rig, "first publication", 106)
    again = await rig.ingest(seed=106, count=COUNT, posts_per_minute=RATE_PER_MINUTE * 10)
    assert again == 0, "the dedupe filter let a mention through twice"
    first: Any = await rig.redis.xrange(RAW_STREAM, min=b"(" + raw_before)
    ids, _ = mentions_of(first)

    async def republish(rig: Rig) -> None:  # as when the filter never recorded them: straight to the stream
        for _, fields in first:
            await rig.redis.xadd(RAW_STREAM, fields)

    row, letters = await scenario(rig, "same mentions re-published", 107, republish)
    assert letters == []
    assert row.published >= len(ids)
