"""End-to-end benchmark: post -> searchable latency at a fixed rate, and the sustained enriched rate.

    .venv/bin/python bench/e2e.py [--rate 50] [--seconds 30] [--backlog 3000]

Runs BrandPulse on a private stack, as the fault suite does (real servers; the simulator ingester, both
workers and the API as processes). Phase 1 publishes `--rate` mentions/s for `--seconds`; a mention's
latency is from the moment the ingester added it to the raw stream (its entry id's time) to the first
search that returns it, polled every 100 ms. Phase 2 publishes a `--backlog` at once: the rate at which
the pipeline turns it into searchable documents is the highest rate at which its lag stays bounded.
Writes bench/results/e2e.json.
"""

# ruff: noqa: E402 - imports follow the sys.path fix below
import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from brandpulse.contract import RAW_STREAM, InvalidMention, Mention, decode
from tests.reliability.rig import Rig, running

RESULTS = Path(__file__).parent / "results"


async def watch(rig: Rig, seen: dict[str, float], stop: asyncio.Event) -> None:
    """Record when each document first shows up in a search (newest first, every 100 ms)."""
    while not stop.is_set():
        response = await rig.es.search(
            index=rig.settings.es_alias,
            sort=[{"indexed_at": "desc"}],
            size=500,
            source_includes=["mention_id"],
        )
        now = time.time()
        for hit in response["hits"]["hits"]:
            seen.setdefault(hit["_source"]["mention_id"], now)
        await asyncio.sleep(0.1)


async def published_at(rig: Rig, after: bytes) -> dict[str, float]:
    """Each mention's time of entry into the raw stream (seconds since the epoch), after entry `after`."""
    entries: Any = await rig.redis.xrange(RAW_STREAM, min=b"(" + after)
    times = {}
    for entry_id, fields in entries:
        try:
            times[decode(fields, Mention).id] = int(entry_id.split(b"-")[0]) / 1000
        except InvalidMention:
            continue
    return times


async def phase(
    rig: Rig, *, seed: int, count: int, per_minute: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Publish `count` mentions at `per_minute`; wait until each is searchable. Returns (entered, seen)."""
    newest: Any = await rig.redis.xrevrange(RAW_STREAM, count=1)
    after = bytes(newest[0][0]) if newest else b"0-0"
    seen: dict[str, float] = {}
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch(rig, seen, stop))
    await rig.ingest(seed=seed, count=count, posts_per_minute=per_minute)
    entered = await published_at(rig, after)
    deadline = time.monotonic() + 600
    while not entered.keys() <= seen.keys() and time.monotonic() < deadline:  # noqa: ASYNC110 - watched by a task
        await asyncio.sleep(0.2)
    stop.set()
    await watcher
    return entered, seen


def quantile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


async def bench(rate: int, seconds: int, backlog: int) -> dict[str, Any]:
    root = ROOT / ".stack" / f"bench-e2e-{uuid.uuid4().hex[:8]}"
    async with running(root, ["-m", "brandpulse", "worker", "elastic"]) as rig:
        entered, seen = await phase(rig, seed=1, count=rate * seconds, per_minute=rate * 60)
        latencies = [seen[i] - entered[i] for i in entered]
        entered2, seen2 = await phase(rig, seed=2, count=backlog, per_minute=600_000)
    span = max(seen2.values()) - min(entered2.values())
    return {
        "at": datetime.now(UTC).isoformat(),
        "rate_per_s": rate,
        "mentions": len(latencies),
        "latency_s": {f"p{q}": quantile(latencies, q) for q in (50, 95, 99)},
        "backlog": len(entered2),
        "sustained_per_s": len(entered2) / span,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=50, help="mentions per second in phase 1")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--backlog", type=int, default=3000)
    args = parser.parse_args()
    result = asyncio.run(bench(args.rate, args.seconds, args.backlog))
    latency = result["latency_s"]
    print(f"post -> searchable at {args.rate}/s over {result['mentions']} mentions: "
          f"p50 {latency['p50']:.2f} s, p95 {latency['p95']:.2f} s, p99 {latency['p99']:.2f} s")  # fmt: skip
    print(f"sustained: {result['backlog']} mentions searchable at {result['sustained_per_s']:.0f}/s")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "e2e.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
