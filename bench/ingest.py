"""Ingest publish benchmark: the atomic batched dedupe-and-publish script against naive per-mention round
trips (BF.MEXISTS, BF.MADD, XADD), each on fresh keys, then where the batched path spends its time.

    .venv/bin/python bench/ingest.py [--mentions 100000]

Needs the local stack (`brandpulse stack up`). Writes bench/results/ingest.json and deletes its keys.
"""

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Run as `python bench/ingest.py`, this file's folder leads sys.path and its name would hide the package.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

from redis.asyncio import Redis  # noqa: E402
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn  # noqa: E402

from brandpulse.clients import redis_client  # noqa: E402
from brandpulse.contract import Mention, encode  # noqa: E402
from brandpulse.settings import Settings  # noqa: E402
from ingest.dedupe import dedupe_keys, ensure_filter  # noqa: E402
from ingest.publisher import Publisher  # noqa: E402

RESULTS = Path(__file__).parent / "results"
SOURCES = ["rss", "reddit", "x", "hackernews"]
BRANDS = ["Acme", "Apple", "Tesla", "Nike", "Spotify", "Airbus", "Lego", "Nestlé"]
PLACES = ["Berlin", "Paris", "Austin", "Tokyo", "São Paulo", "Cupertino"]
PHRASES = [
    "I love the new {brand} phone, the battery lasts for days #happy",
    "{brand} support in {place} kept me on hold for two hours, never again",
    "{brand} will open a factory in {place} next year, says the CEO",
    "Just returned my {brand} headphones, the sound was awful and the app kept crashing",
    "{brand} recalls 120,000 e-bikes over a battery fire risk in {place}",
]
REPEATS, CROSSPOSTS = 0.05, 0.02  # shares of the input that are exact repeats and cross-posted stories
PROGRESS_EVERY = 1000
WAYS = ("batched", "naive")
SCRIPT_COMMANDS = ("evalsha", "bf.mexists", "bf.madd", "xadd")  # the script, then what it calls


def mentions(count: int, seed: int) -> list[Mention]:
    """Varied mentions (seeded), with some repeated and some cross-posted under another source."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    items: list[Mention] = []
    for n in range(count):
        roll = rng.random()
        if items and roll < REPEATS:
            items.append(rng.choice(items))
            continue
        source = rng.choice(SOURCES)
        text = rng.choice(PHRASES).format(brand=rng.choice(BRANDS), place=rng.choice(PLACES)) + f" ({n})"
        if items and roll < REPEATS + CROSSPOSTS:
            text = rng.choice(items).text
        url = (
            f"https://{source}.example.com/p/{n}/?utm_source=feed&ref={n % 97}"
            if rng.random() < 0.8
            else None
        )
        items.append(
            Mention(
                source=source,
                external_id=f"bench-{n}",
                url=url if rng.random() < 0.8 else None,
                text=text,
                author=f"user{rng.randrange(5000)}",
                lang="en",
                published_at=now - timedelta(seconds=n),
                fetched_at=now,
                brand_ids=(rng.randrange(1, 9),),
            )
        )
    return items


def counted(items: Iterable[Mention], advance: Callable[[int], None]) -> Iterator[Mention]:
    """`items`, advancing a progress bar every PROGRESS_EVERY of them."""
    for n, item in enumerate(items, start=1):
        yield item
        if n % PROGRESS_EVERY == 0:
            advance(PROGRESS_EVERY)


async def batched(redis: Redis, settings: Settings, items: list[Mention], keys: tuple[str, str]) -> int:
    """The atomic script, batch by batch; returns the number published."""
    publisher = Publisher(redis, settings, bloom_key=keys[0], stream=keys[1])
    with progress_bar() as progress:
        task = progress.add_task("batched script", total=len(items))
        result = await publisher.publish(counted(items, lambda n: progress.advance(task, n)))
    return len(result.published)


async def naive(redis: Redis, settings: Settings, items: list[Mention], keys: tuple[str, str]) -> int:
    """A round trip per command: BF.MEXISTS, then BF.MADD and XADD if new; returns the number published."""
    bloom, stream = keys
    await ensure_filter(
        redis, bloom, error_rate=settings.ingest_bloom_error_rate, capacity=settings.ingest_bloom_capacity
    )
    published = 0
    with progress_bar() as progress:
        task = progress.add_task("naive round trips", total=len(items))
        for mention in counted(items, lambda n: progress.advance(task, n)):
            keys_of_mention = dedupe_keys(mention)
            fields = encode(mention)
            if not any(await bloom_command(redis, "BF.MEXISTS", bloom, keys_of_mention)):
                await bloom_command(redis, "BF.MADD", bloom, keys_of_mention)
                await redis.xadd(stream, fields)  # type: ignore[arg-type]
                published += 1
    return published


async def bloom_command(redis: Redis, command: str, bloom: str, items: tuple[str, ...]) -> list[int]:
    reply: list[int] = await redis.execute_command(command, bloom, *items)  # type: ignore[no-untyped-call]
    return reply


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
    )


async def command_usec(redis: Redis) -> dict[str, int]:
    """Microseconds Redis has spent in the publish script and the commands it calls (server-wide counters)."""
    stats: dict[str, Any] = await redis.info("commandstats")
    return {command: int(stats.get(f"cmdstat_{command}", {}).get("usec", 0)) for command in SCRIPT_COMMANDS}


def per_mention_us(step: Callable[[Mention], object], items: list[Mention]) -> float:
    started = time.perf_counter()
    for item in items:
        step(item)
    return (time.perf_counter() - started) / len(items) * 1e6


def batch_json_us(items: list[Mention], batch_size: int) -> float:
    """The publisher's per-batch JSON argument, per mention (keys and fields prepared beforehand)."""
    entries = [(dedupe_keys(m), [x for pair in encode(m).items() for x in pair]) for m in items]
    started = time.perf_counter()
    for start in range(0, len(entries), batch_size):
        json.dumps(entries[start : start + batch_size], ensure_ascii=False, separators=(",", ":"))
    return (time.perf_counter() - started) / len(items) * 1e6


async def run(settings: Settings, items: list[Mention]) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:8]
    keys = {way: (f"bench:{run_id}:{way}:seen", f"bench:{run_id}:{way}:mentions") for way in WAYS}
    redis = redis_client(settings)
    try:
        usec_before = await command_usec(redis)
        started, cpu_started = time.perf_counter(), time.process_time()
        published = {"batched": await batched(redis, settings, items, keys["batched"])}
        batched_s, batched_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
        usec_after = await command_usec(redis)
        started = time.perf_counter()
        published["naive"] = await naive(redis, settings, items, keys["naive"])
        naive_s = time.perf_counter() - started
        lengths = {way: await redis.xlen(stream) for way, (_, stream) in keys.items()}
    finally:
        await redis.delete(*(key for pair in keys.values() for key in pair))
        await redis.aclose()
    if published["batched"] != published["naive"] or lengths != published:
        raise RuntimeError(f"the two ways disagree: published {published}, stream lengths {lengths}")
    return {
        "mentions": len(items),
        "published": published["batched"],
        "batched_per_s": len(items) / batched_s,
        "naive_per_s": len(items) / naive_s,
        "ratio": naive_s / batched_s,
        "batched_us_per_mention": {
            "wall": batched_s / len(items) * 1e6,
            "python_cpu": batched_cpu_s / len(items) * 1e6,
        },
        "redis_us_per_mention": {
            command: (usec_after[command] - usec_before[command]) / len(items) for command in SCRIPT_COMMANDS
        },
    }


def profile(items: list[Mention], batch_size: int) -> dict[str, float]:
    """Python's share of the batched path, per mention, measured step by step outside the run."""
    sample = items[:20_000]
    return {
        "contract.encode": per_mention_us(encode, sample),
        "dedupe keys": per_mention_us(dedupe_keys, sample),
        "batch JSON": batch_json_us(sample, batch_size),
        "model_dump_json (what-if)": per_mention_us(Mention.model_dump_json, sample),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    count = parser.parse_args().mentions
    settings = Settings()
    items = mentions(count, seed=1)
    summary = asyncio.run(run(settings, items))
    summary["python_steps_us"] = profile(items, settings.ingest_publish_batch_size)
    report(summary, settings)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(summary, indent=2))


def report(summary: dict[str, Any], settings: Settings) -> None:
    print(
        f"mentions={summary['mentions']} published={summary['published']} "
        f"batch_size={settings.ingest_publish_batch_size} "
        f"bloom error_rate={settings.ingest_bloom_error_rate} capacity={settings.ingest_bloom_capacity}"
    )
    print(f"\n{'figure':<44}{'value':>10}  {'target':<12}result")
    checks = [
        ("batched script, mentions/s", summary["batched_per_s"], 50_000.0, "/s"),
        ("naive round trips, mentions/s", summary["naive_per_s"], None, "/s"),
        ("batched / naive", summary["ratio"], 20.0, "x"),
    ]
    for label, value, target, unit in checks:
        verdict = "info" if target is None else ("pass" if value >= target else "FAIL")
        shown = "-" if target is None else f">= {target:g} {unit}"
        print(f"{label:<44}{value:>10.1f}  {shown:<12}{verdict}")
    print(f"\n{'batched path, µs per mention':<44}{'value':>10}")
    for label, value in summary["batched_us_per_mention"].items():  # wall, and Python's CPU
        print(f"{label:<44}{value:>10.2f}")
    for label, value in summary["python_steps_us"].items():
        print(f"  {label:<42}{value:>10.2f}")
    redis_us = summary["redis_us_per_mention"]
    print(f"{'redis: the script (server time)':<44}{redis_us['evalsha']:>10.2f}")
    for command in SCRIPT_COMMANDS[1:]:
        print(f"  {command.upper():<42}{redis_us[command]:>10.2f}")
    lua = redis_us["evalsha"] - sum(redis_us[command] for command in SCRIPT_COMMANDS[1:])
    print(f"  {'Lua, cjson and the rest':<42}{lua:>10.2f}")


if __name__ == "__main__":
    main()
