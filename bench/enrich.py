"""Enrichment benchmark: each model and full enrichment, batched (64) against one mention at a time,
then the elastic worker end to end on the local stack. Prints ratios measured in this one run.

    .venv/bin/python bench/enrich.py [--texts 256]

Needs the trained model (`brandpulse models train`) and the local stack (`brandpulse stack up`).
Writes bench/results/enrich.json.
"""

import argparse
import asyncio
import json
import os
import random
import resource
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import torch

from brandpulse.clients import elasticsearch_client, redis_client
from brandpulse.contract import Mention, encode
from brandpulse.es_indices import ensure_indices, single_index_name
from brandpulse.settings import Settings
from workers.elastic.enrich import Enricher
from workers.elastic.main import build_worker

os.environ.setdefault("HF_HUB_OFFLINE", "1")
RESULTS = Path(__file__).parent / "results"
BRANDS = ["Acme", "Apple", "Tesla", "Nike", "Spotify", "Airbus", "Lego", "Nestlé"]
PEOPLE = ["Tim Cook", "Elon Musk", "Maria Garcia", "Sundar Pichai", "a support agent named Tom"]
PLACES = ["Berlin", "Paris", "Austin", "Tokyo", "São Paulo", "Cupertino"]
PHRASES = [
    "I love the new {brand} phone, the battery lasts for days #happy",
    "{brand} support in {place} kept me on hold for two hours, never again",
    "{person} said {brand} will open a factory in {place} next year",
    "Just returned my {brand} headphones, the sound was awful and the app kept crashing",
    "Reading the {brand} quarterly report: revenue is flat, margins slightly down",
    "Huge thanks to {person} at {brand} for fixing my order so quickly!",
    "Is anyone else having trouble logging into {brand} today? Down again in {place}",
    "{brand} recalls 120,000 e-bikes over a battery fire risk, {person} apologises",
]


def texts(count: int, seed: int) -> list[str]:
    """Varied, realistic mention texts (seeded)."""
    rng = random.Random(seed)
    return [
        rng.choice(PHRASES).format(
            brand=rng.choice(BRANDS), person=rng.choice(PEOPLE), place=rng.choice(PLACES)
        )
        + f" ({rng.randint(1, 10_000)})"
        for _ in range(count)
    ]


def rate(run: Callable[[Sequence[str]], object], items: list[str], batch: int) -> float:
    """Items per second when `run` gets `batch` items per call."""
    started = time.perf_counter()
    for start in range(0, len(items), batch):
        run(items[start : start + batch])
    return len(items) / (time.perf_counter() - started)


def mention(text: str, n: int) -> Mention:
    now = datetime.now(UTC) - timedelta(seconds=n)
    return Mention(source="simulator", external_id=f"bench-{n}", text=text, published_at=now, fetched_at=now)


def full(enricher: Enricher) -> Callable[[Sequence[str]], object]:
    return lambda batch: enricher.enrich([mention(text, n) for n, text in enumerate(batch)])


async def end_to_end(settings: Settings, enricher: Enricher, items: list[str]) -> float:
    """Mentions/s for the real worker: publish, then drain the stream into the ES-API server."""
    run_id = uuid.uuid4().hex[:8]
    own = settings.model_copy(update={"es_alias": f"bench{run_id}"})
    names = {key: f"bench:{run_id}:{key}" for key in ("raw", "enriched", "dead_letters", "live")}
    redis = redis_client(own)
    async with elasticsearch_client(own) as es:
        await ensure_indices(es, own)
        for n, text in enumerate(items):
            await redis.xadd(names["raw"], encode(mention(text, n)))  # type: ignore[arg-type]
        worker = build_worker(own, redis, es, enricher, **names)
        started = time.perf_counter()
        stats = await worker.run(burst=True)
        elapsed = time.perf_counter() - started
        await es.indices.delete(index=single_index_name(own))
        await es.indices.delete_index_template(name=own.es_alias)
    await redis.delete(names["raw"], names["enriched"], names["dead_letters"])
    await redis.aclose()
    return stats.processed / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=256)
    count = parser.parse_args().texts
    settings = Settings()
    enricher = Enricher.load(settings)
    warm = texts(64, seed=0)
    enricher.enrich([mention(text, n) for n, text in enumerate(warm)])  # first-call costs out of the figures
    steps: dict[str, Callable[[Sequence[str]], object]] = {
        "sentiment+emotion": enricher.classifier.predict,
        "entities": enricher.entities.extract,
        "keywords": enricher.keywords.extract,
        "full enrichment": full(enricher),
    }
    rows: list[dict[str, Any]] = []
    for seed, (name, run) in enumerate(steps.items(), start=1):
        batched = rate(run, texts(count, seed), 64)
        single = rate(run, texts(count // 4, seed + 100), 1)
        rows.append(
            {"step": name, "batched_per_s": batched, "single_per_s": single, "ratio": batched / single}
        )
    worker_rate = asyncio.run(end_to_end(settings, enricher, texts(count, seed=999)))
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    full_row = rows[-1]
    checks = [
        ("full enrichment batched / per-message", full_row["ratio"], 5.0, "x"),
        ("full enrichment, mentions/s (batch 64)", full_row["batched_per_s"], 150.0, "/s"),
        ("elastic worker end to end, mentions/s", worker_rate, None, "/s"),
        ("peak RSS, MiB", peak_rss_mib, -1536.0, "MiB"),
    ]
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(f"device={device} threads={torch.get_num_threads()} texts={count}")
    print(f"{'step':<22}{'batched/s':>12}{'single/s':>12}{'ratio':>9}")
    for row in rows:
        print(
            f"{row['step']:<22}{row['batched_per_s']:>12.1f}{row['single_per_s']:>12.1f}{row['ratio']:>8.1f}x"
        )
    print(f"\n{'figure':<42}{'value':>10}  {'target':<12}result")
    for label, value, target, unit in checks:
        if target is None:
            verdict, shown = "info", "-"
        elif target < 0:  # an upper bound
            verdict, shown = ("pass" if value <= -target else "FAIL"), f"<= {-target:g} {unit}"
        else:
            verdict, shown = ("pass" if value >= target else "FAIL"), f">= {target:g} {unit}"
        print(f"{label:<42}{value:>10.1f}  {shown:<12}{verdict}")
    RESULTS.mkdir(exist_ok=True)
    summary = {"rows": rows, "worker_per_s": worker_rate, "peak_rss_mib": peak_rss_mib, "texts": count}
    (RESULTS / "enrich.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
