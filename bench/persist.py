"""Persist benchmark: mentions with enrichments into PostgreSQL, batched with exact rollups against a naive
per-row insert + commit, then the persist worker end to end (streams -> PostgreSQL) at several batch sizes.

    .venv/bin/python bench/persist.py [--rows 50000] [--naive-rows 50000]

Needs the local stack (`brandpulse stack up`); works in a database of its own, dropped at the end.
Writes bench/results/persist.json.
"""

import argparse
import asyncio
import gc
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from redis.asyncio import Redis
from rich.progress import Progress
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from brandpulse import migrate
from brandpulse.clients import postgres_engine, redis_client
from brandpulse.contract import Enrichment, Mention, encode
from brandpulse.settings import Settings
from workers.persist.main import build_workers
from workers.persist.writes import write_enrichments, write_mentions

RESULTS = Path(__file__).parent / "results"
DATABASE = "brandpulse_bench"
T0 = datetime(2026, 11, 1, tzinfo=UTC)
SOURCES = ["news", "reddit", "hackernews", "x", "gdelt"]
LABELS = ["negative", "neutral", "positive"]
RUNS = 3  # per batch size, reporting the median: the machines are shared and one run can be off by 30%


def dataset(count: int, seed: int) -> list[tuple[Mention, Enrichment]]:
    """`count` mentions over ~2 weeks in publication order, as a stream delivers them, 1-2 of 20 brands
    each, with an enrichment each (seeded)."""
    rng = random.Random(seed)
    pairs = []
    for n, offset_s in enumerate(sorted(rng.randrange(14 * 86_400) for _ in range(count))):
        published = T0 + timedelta(seconds=offset_s)
        mention = Mention(
            source=rng.choice(SOURCES),
            external_id=f"{seed}-{n}",
            url=f"https://example.com/{seed}/{n}",
            title=f"Story {n}",
            text=f"Acme and friends, mention number {n}, with some words to make it a realistic length. " * 3,
            author=f"author-{rng.randrange(2000)}",
            lang="en",
            published_at=published,
            fetched_at=published + timedelta(seconds=30),
            brand_ids=tuple(rng.sample(range(1, 21), rng.choice([1, 1, 2]))),
            meta={"score": rng.randrange(100)},
        )
        label = rng.choice(LABELS)
        enrichment = Enrichment.model_validate(
            {
                "mention_id": mention.id,
                "sentiment": {"label": label, "score": rng.uniform(-1, 1), "probabilities": {label: 0.9}},
                "emotion": {"label": "joy", "probabilities": {"joy": 0.8}},
                "entities": [{"text": "Acme", "type": "ORG"}, {"text": "Berlin", "type": "GPE"}],
                "keywords": ["acme", "friends", "mention"],
                "models": {"sentiment": "tweet-minilm@1"},
                "enriched_at": published + timedelta(seconds=5),
            }
        )
        pairs.append((mention, enrichment))
    gc.collect()
    gc.freeze()  # the harness's own objects: a worker process does not hold them, nor rescan them in its GC
    return pairs


async def batched(engine: AsyncEngine, pairs: list[tuple[Mention, Enrichment]], batch: int) -> float:
    """Mentions/s written in batches with rollups, each batch one transaction, mentions and enrichments
    concurrently as the worker's two loops do, enrichments one batch behind their mentions as in production
    (the elastic worker enriches what the raw stream delivered): enrichment batch i is written while mention
    batch i+1 is. Unpaced, the two loops race, and whichever leads decides how much each recount finds to
    do: that made single runs differ by 2x."""
    starts = range(0, len(pairs), batch)
    stored = [asyncio.Event() for _ in starts]

    async def write_mentions_in_turn() -> None:
        for n, start in enumerate(starts):
            async with engine.begin() as connection:
                await write_mentions(connection, [m for m, _ in pairs[start : start + batch]])
            stored[n].set()
            progress.advance(task, len(pairs[start : start + batch]) / 2)

    async def write_enrichments_behind() -> None:
        for n, start in enumerate(starts):
            await stored[n].wait()
            async with engine.begin() as connection:
                await write_enrichments(connection, [e for _, e in pairs[start : start + batch]])
            progress.advance(task, len(pairs[start : start + batch]) / 2)

    started = time.perf_counter()
    with Progress(transient=True) as progress:
        task = progress.add_task(f"batched ({batch})", total=len(pairs))
        await asyncio.gather(write_mentions_in_turn(), write_enrichments_behind())
    return len(pairs) / (time.perf_counter() - started)


NAIVE_MENTION = text("""
INSERT INTO mentions (id, source, external_id, url, title, text, author, lang, published_at, fetched_at, meta)
VALUES (:id, :source, :external_id, :url, :title, :text, :author, :lang, :published_at, :fetched_at,
        CAST(:meta AS jsonb))
ON CONFLICT (id) DO NOTHING
""")
NAIVE_BRAND = text(
    "INSERT INTO mention_brands VALUES (:brand_id, :published_at, :mention_id, :source, :author)"
    " ON CONFLICT DO NOTHING"
)
NAIVE_ENRICHMENT = text("""
INSERT INTO enrichments (mention_id, sentiment_label, sentiment_score, entities, keywords, enriched_at)
VALUES (:mention_id, :label, :score, CAST(:entities AS jsonb), :keywords, :enriched_at)
ON CONFLICT (mention_id) DO NOTHING
""")


async def naive(engine: AsyncEngine, pairs: list[tuple[Mention, Enrichment]]) -> float:
    """Mentions/s written one row per statement, one commit per mention, no rollups."""
    started = time.perf_counter()
    with Progress(transient=True) as progress:
        task = progress.add_task("naive per-row", total=len(pairs))
        async with engine.connect() as connection:
            for mention, enrichment in pairs:
                row = mention.model_dump(exclude={"brand_ids"}) | {"meta": json.dumps(mention.meta)}
                await connection.execute(NAIVE_MENTION, row)
                for brand_id in mention.brand_ids:
                    await connection.execute(
                        NAIVE_BRAND,
                        {"brand_id": brand_id, "mention_id": mention.id}
                        | mention.model_dump(include={"published_at", "source", "author"}),
                    )
                sentiment = enrichment.sentiment
                assert sentiment is not None
                await connection.execute(
                    NAIVE_ENRICHMENT,
                    {
                        "mention_id": mention.id,
                        "label": sentiment.label,
                        "score": sentiment.score,
                        "entities": json.dumps([e.model_dump() for e in enrichment.entities]),
                        "keywords": list(enrichment.keywords),
                        "enriched_at": enrichment.enriched_at,
                    },
                )
                await connection.commit()
                progress.advance(task)
    return len(pairs) / (time.perf_counter() - started)


async def worker(
    settings: Settings, engine: AsyncEngine, pairs: list[tuple[Mention, Enrichment]], batch: int
) -> float:
    """Mentions/s through the persist worker's two stream loops (burst), publishing excluded."""
    redis: Redis = redis_client(settings)
    names = {
        "raw": "bench:persist:raw",
        "enriched": "bench:persist:enriched",
        "dead_letters": "bench:persist:dead",
    }
    await redis.delete(*names.values())
    for stream, items in ((names["raw"], [m for m, _ in pairs]), (names["enriched"], [e for _, e in pairs])):
        for start in range(0, len(items), 1000):
            async with redis.pipeline(transaction=False) as pipe:
                for item in items[start : start + 1000]:
                    pipe.xadd(stream, encode(item))  # type: ignore[arg-type]
                await pipe.execute()
    tuned = settings.model_copy(update={"persist_batch_size": batch, "persist_flush_after_s": 0.5})
    started = time.perf_counter()
    await asyncio.gather(*(w.run(burst=True) for w in build_workers(tuned, redis, engine, **names)))
    elapsed = time.perf_counter() - started
    await redis.delete(*names.values())
    await redis.aclose()
    return len(pairs) / elapsed


async def reset(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        tables = "mentions, mention_brands, enrichments, hourly_rollups, daily_rollups"
        await connection.execute(text(f"TRUNCATE {tables}"))


async def bench(settings: Settings, rows: int, naive_rows: int) -> dict[str, Any]:
    url = make_url(settings.postgres_url.get_secret_value())
    admin = create_async_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    own = settings.model_copy(
        update={"postgres_url": SecretStr(url.set(database=DATABASE).render_as_string(False))}
    )
    await asyncio.to_thread(migrate.upgrade, own)
    engine = postgres_engine(own)
    try:
        pairs = dataset(rows, seed=1)
        result: dict[str, Any] = {"rows": rows, "batched": {}, "batched_runs": {}, "worker": {}}
        for batch in sorted({100, 500, 1000, 2000, settings.persist_batch_size}):
            runs = []
            for _ in range(RUNS):
                await reset(engine)
                runs.append(await batched(engine, pairs, batch))
            result["batched"][batch], result["batched_runs"][batch] = statistics.median(runs), runs
        await reset(engine)
        result["naive"] = await naive(engine, dataset(naive_rows, seed=2))
        for batch in sorted({100, 500, settings.persist_batch_size}):
            await reset(engine)
            result["worker"][batch] = await worker(own, engine, pairs[: rows // 2], batch)
    finally:
        await engine.dispose()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        await admin.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--naive-rows", type=int, default=50_000)
    args = parser.parse_args()
    result = asyncio.run(bench(Settings(), args.rows, args.naive_rows))
    default = Settings().persist_batch_size
    print(f"mentions (each with an enrichment): {result['rows']} batched, naive on the same shape")
    print(f"{'path':<44}{'rows/s':>10}")
    for batch, value in result["batched"].items():
        spread = "-".join(f"{run:.0f}" for run in sorted(result["batched_runs"][batch]))
        print(f"{f'batched {batch}, with rollups':<44}{value:>10.0f}  (median of {spread})")
    print(f"{'naive per-row insert + commit':<44}{result['naive']:>10.0f}")
    for batch, value in result["worker"].items():
        print(f"{f'persist worker from streams, batch {batch}':<44}{value:>10.0f}")
    chosen = result["batched"][default]
    checks = [
        (f"batched ({default}, the default) / naive", chosen / result["naive"], 20.0, "x"),
        (f"batched ({default}, the default) rows/s", chosen, 10_000.0, "/s"),
    ]
    print(f"\n{'figure':<44}{'value':>10}  {'target':<10}result")
    for label, value, target, unit in checks:
        print(
            f"{label:<44}{value:>10.1f}  {f'>= {target:g}{unit}':<10}{'pass' if value >= target else 'FAIL'}"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "persist.json").write_text(
        json.dumps(result | {"at": datetime.now(UTC).isoformat()}, indent=2)
    )


if __name__ == "__main__":
    main()
