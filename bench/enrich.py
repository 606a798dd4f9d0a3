"""Enrichment benchmark: each model and full enrichment, batched (64) against one mention at a time,
then the elastic worker end to end on the local stack. Prints ratios measured in this one run.

    .venv/bin/python bench/enrich.py [--texts 256]

The templated texts repeat their words, so the keyword step finds most candidates in its cache; the row on
vendored TweetEval tweets shows full enrichment on real, varied text. Where the classifier shares its lower
layers with the embedding model, `shared pass` is the one pass that gives both the labels' logits and the
document embeddings, and full enrichment uses it; the two model rows above it each run their own full pass.
With `enrich_threads` 2, torch runs on one thread (its thread count is process-wide, and full enrichment
runs two passes side by side on one thread each), so the rows of the single models use one core. The
`others` column is how many CPU cores other processes kept busy during a row (from /proc/stat): on a
shared machine, figures measured while it is well above 0 are low.

`BRANDPULSE_ENRICH_PRECISION=int8` measures the opt-in int8 models (see workers/elastic/runtime.py).
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
from workers.elastic import runtime
from workers.elastic.enrich import Enricher
from workers.elastic.main import build_worker

os.environ.setdefault("HF_HUB_OFFLINE", "1")
RESULTS = Path(__file__).parent / "results"
TWEETS = Path(__file__).parents[1] / "data" / "tweeteval" / "sentiment_text.txt"
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


def tweets(count: int, skip: int) -> list[str]:
    """Real tweets from the vendored TweetEval data, from line `skip` on."""
    lines = TWEETS.read_text(encoding="utf-8").splitlines()
    return lines[skip : skip + count]


def busy_cpu_s() -> float | None:
    """CPU seconds the machine has been busy (all processes, steal included), or None off Linux."""
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rate(run: Callable[[Sequence[str]], object], items: list[str], batch: int) -> tuple[float, float]:
    """(items per second when `run` gets `batch` items per call, CPU cores other processes used meanwhile)."""
    busy, own, started = busy_cpu_s(), own_cpu_s(), time.perf_counter()
    for start in range(0, len(items), batch):
        run(items[start : start + batch])
    elapsed = time.perf_counter() - started
    after = busy_cpu_s()
    others = (after - busy - (own_cpu_s() - own)) / elapsed if after and busy else float("nan")
    return len(items) / elapsed, max(0.0, others)


def mention(text: str, n: int) -> Mention:
    now = datetime.now(UTC) - timedelta(seconds=n)
    return Mention(source="simulator", external_id=f"bench-{n}", text=text, published_at=now, fetched_at=now)


def full(enricher: Enricher) -> Callable[[Sequence[str]], object]:
    return lambda batch: enricher.enrich([mention(text, n) for n, text in enumerate(batch)])


def row(
    name: str, run: Callable[[Sequence[str]], object], batched: list[str], single: list[str]
) -> dict[str, Any]:
    """One table row: `batched` texts 64 per call, then `single` one per call."""
    batched_rate, batched_others = rate(run, batched, 64)
    single_rate, single_others = rate(run, single, 1)
    return {
        "step": name,
        "batched_per_s": batched_rate,
        "single_per_s": single_rate,
        "ratio": batched_rate / single_rate,
        "others_cores": max(batched_others, single_others),
    }


async def end_to_end(settings: Settings, enricher: Enricher, items: list[str]) -> tuple[float, float]:
    """(mentions/s for the real worker, CPU cores used by other processes): publish, then drain the stream
    into the ES-API server, whose own CPU counts as other processes'."""
    run_id = uuid.uuid4().hex[:8]
    own = settings.model_copy(update={"es_alias": f"bench{run_id}"})
    names = {key: f"bench:{run_id}:{key}" for key in ("raw", "enriched", "dead_letters", "live")}
    redis = redis_client(own)
    async with elasticsearch_client(own) as es:
        await ensure_indices(es, own)
        for n, text in enumerate(items):
            await redis.xadd(names["raw"], encode(mention(text, n)))  # type: ignore[arg-type]
        worker = build_worker(own, redis, es, enricher, **names)
        busy, own_cpu, started = busy_cpu_s(), own_cpu_s(), time.perf_counter()
        stats = await worker.run(burst=True)
        elapsed = time.perf_counter() - started
        after = busy_cpu_s()
        await es.indices.delete(index=single_index_name(own))
        await es.indices.delete_index_template(name=own.es_alias)
    await redis.delete(names["raw"], names["enriched"], names["dead_letters"])
    await redis.aclose()
    others = (after - busy - (own_cpu_s() - own_cpu)) / elapsed if after and busy else float("nan")
    return stats.processed / elapsed, max(0.0, others)  # others: the stack's servers and other processes


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
        **({"shared pass": enricher.shared.run} if enricher.shared else {}),
        "full enrichment": full(enricher),
    }
    rows: list[dict[str, Any]] = []
    for seed, (name, run) in enumerate(steps.items(), start=1):
        rows.append(row(name, run, texts(count, seed), texts(count // 4, seed + 100)))
    tweet_row = row("full, tweets", full(enricher), tweets(count, 0), tweets(count // 4, count))
    worker_rate, worker_others = asyncio.run(end_to_end(settings, enricher, texts(count, seed=999)))
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    full_row = rows[-1]
    rows.append(tweet_row)
    checks = [
        ("full enrichment batched / per-message", full_row["ratio"], 5.0, "x"),
        ("full enrichment, mentions/s (batch 64)", full_row["batched_per_s"], 150.0, "/s"),
        (f"elastic worker end to end, mentions/s (others {worker_others:.2f})", worker_rate, None, "/s"),
        ("peak RSS, MiB", peak_rss_mib, -1536.0, "MiB"),
    ]
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(
        f"device={device} torch threads={torch.get_num_threads()} enrich_threads={settings.enrich_threads}"
        f" precision={runtime.resolve(runtime.device(settings.enrich_device), settings.enrich_precision)}"
        f" texts={count} load average={os.getloadavg()[0]:.2f}"
    )
    print(f"{'step':<22}{'batched/s':>12}{'single/s':>12}{'ratio':>9}{'others':>9}")
    for r in rows:
        print(
            f"{r['step']:<22}{r['batched_per_s']:>12.1f}{r['single_per_s']:>12.1f}{r['ratio']:>8.1f}x"
            f"{r['others_cores']:>9.2f}"
        )
    print(f"\n{'figure':<56}{'value':>10}  {'target':<12}result")
    for label, value, target, unit in checks:
        if target is None:
            verdict, shown = "info", "-"
        elif target < 0:  # an upper bound
            verdict, shown = ("pass" if value <= -target else "FAIL"), f"<= {-target:g} {unit}"
        else:
            verdict, shown = ("pass" if value >= target else "FAIL"), f">= {target:g} {unit}"
        print(f"{label:<56}{value:>10.1f}  {shown:<12}{verdict}")
    RESULTS.mkdir(exist_ok=True)
    summary = {
        "rows": rows,
        "worker_per_s": worker_rate,
        "worker_others_cores": worker_others,
        "peak_rss_mib": peak_rss_mib,
        "texts": count,
    }
    (RESULTS / "enrich.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
