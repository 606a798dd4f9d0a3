"""API benchmark: search, analytics and the PostgreSQL endpoints under 16 concurrent clients.

    .venv/bin/python bench/api.py [--mentions 2000] [--rollup-rows 1000000] [--requests 400]

Seeds mentions through the real pipeline (simulator -> ingest pipeline -> elastic and persist workers)
into a database and an index of its own, adds synthetic hourly rollup rows so the rollup endpoint reads
1M rows, serves the API with uvicorn, and measures per endpoint p50/p95 uncached (each request a new
query) and cached (the same query again), plus the API's own cost from the `Server-Timing` header (the
request time minus the time the API waited on Elasticsearch, PostgreSQL and Redis).
Needs the trained model and the local stack. Writes bench/results/api.json.
"""

# ruff: noqa: E402 - imports follow the sys.path fix below
import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Run as `python bench/api.py`, this file's folder leads sys.path and its name would hide the package.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

import httpx
import uvicorn
from pydantic import SecretStr
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from api.main import create_app
from brandpulse import clients, migrate
from brandpulse.brand_query import Matcher
from brandpulse.brands import ensure_demo_brands, list_brands, queries
from brandpulse.es_indices import ensure_indices, single_index_name
from brandpulse.settings import Settings
from ingest.pipeline import Pipeline
from ingest.publisher import Publisher
from ingest.sources.simulator import SimBrand, SimulatedMentions
from workers.elastic.enrich import Enricher
from workers.elastic.main import build_worker
from workers.persist.main import build_workers

os.environ.setdefault("HF_HUB_OFFLINE", "1")
RESULTS = Path(__file__).parent / "results"
KEY = "bench-key-" + uuid.uuid4().hex
CLIENTS = 16
TIMING = re.compile(r"(\w+);dur=([0-9.]+)")
ROLLUPS = """
INSERT INTO hourly_rollups (brand_id, hour, source, mentions, positive, neutral, negative,
                            sentiment_score_mean, unique_authors)
SELECT 1000 + b, date_trunc('hour', now()) - make_interval(hours => h), s,
       10 + (h % 7), 3, 4, 3 + (h % 7), 0.1, 5
FROM generate_series(1, 50) AS b, generate_series(0, :hours - 1) AS h,
     unnest(ARRAY['news', 'reddit', 'hackernews', 'x', 'gdelt']) AS s
ON CONFLICT DO NOTHING
"""


@dataclass
class Samples:
    """Per request: total milliseconds and the API's own milliseconds."""

    total: list[float] = field(default_factory=list)
    own: list[float] = field(default_factory=list)


async def seed(settings: Settings, mentions: int, rollup_rows: int) -> None:
    """Mentions through the real pipeline and workers, then synthetic rollups up to `rollup_rows`."""
    redis, engine = clients.redis_client(settings), clients.postgres_engine(settings)
    es = clients.elasticsearch_client(settings)
    names = {
        "raw": f"bench:api:{uuid.uuid4().hex[:8]}:raw",
        "enriched": f"bench:api:{uuid.uuid4().hex[:8]}:enr",
    }
    extra = {"dead_letters": "bench:api:dead"}
    try:
        await ensure_indices(es, settings)
        await ensure_demo_brands(engine)
        brands = await list_brands(engine)
        simulated = SimulatedMentions([SimBrand(b.id, b.name) for b in brands], seed=11)
        end = datetime.now(UTC)
        batch = [simulated.next(end - timedelta(hours=48) * (1 - n / mentions)) for n in range(mentions)]
        pipeline = Pipeline(
            Publisher(redis, settings, stream=names["raw"], bloom_key="bench:api:seen"),
            Matcher(queries(brands)),
        )
        await pipeline.ingest("simulator", batch)
        enricher = await asyncio.to_thread(Enricher.load, settings)
        started = time.perf_counter()
        await build_worker(settings, redis, es, enricher, live="bench:api:live", **names, **extra).run(
            burst=True
        )
        await asyncio.gather(
            *(w.run(burst=True) for w in build_workers(settings, redis, engine, **names, **extra))
        )
        print(f"seeded {pipeline.counts['simulator']['published']} mentions through the workers "
              f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
        await es.indices.refresh(index=single_index_name(settings))
        async with engine.begin() as connection:
            await connection.execute(text(ROLLUPS), {"hours": max(1, rollup_rows // 250)})
            count = (await connection.execute(text("SELECT count(*) FROM hourly_rollups"))).scalar()
            await connection.execute(text("ANALYZE hourly_rollups"))
        print(f"hourly_rollups rows: {count}")
    finally:
        await redis.delete(*names.values(), "bench:api:seen", "bench:api:dead")
        await redis.aclose()
        await engine.dispose()
        await es.close()


def requests(brands: list[int]) -> dict[str, list[str]]:
    """Per endpoint, a pool of distinct query strings (uncached: each used once; cached: the first, again)."""
    rng = random.Random(5)
    windows = [f"{h}h" for h in range(6, 49)]

    def variants(path: str, extra: str = "") -> list[str]:
        return [f"{path}?last={rng.choice(windows)}&brand={rng.choice(brands)}{extra}" for _ in range(200)]

    return {
        "search": variants("/api/elastic/search", "&q=new OR support&size=20"),
        "analytics/sentiment": variants("/api/elastic/analytics/sentiment"),
        "analytics/volume": variants("/api/elastic/analytics/volume"),
        "analytics/entities": variants("/api/elastic/analytics/entities"),
        "analytics/share-of-voice": variants("/api/elastic/analytics/share-of-voice"),
        "mentions (PostgreSQL)": variants("/api/mentions", "&size=50"),
        "rollups/hourly (1M rows)": [
            f"/api/rollups/hourly?brand={1000 + rng.randrange(1, 51)}&since="
            f"{(datetime.now(UTC) - timedelta(days=rng.randrange(30, 160))).date()}T00:00:00Z"
            for _ in range(200)
        ],
    }


async def drive(base: str, paths: list[str], total: int) -> Samples:
    """`total` requests over `paths` (cycled) from CLIENTS concurrent clients."""
    samples = Samples()
    queue: asyncio.Queue[str] = asyncio.Queue()
    for n in range(total):
        queue.put_nowait(paths[n % len(paths)])

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, headers={"X-API-Key": KEY}, timeout=60) as http:
            while not queue.empty():
                path = queue.get_nowait()
                started = time.perf_counter()
                response = await http.get(path)
                samples.total.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
                timing = dict(TIMING.findall(response.headers.get("server-timing", "")))
                samples.own.append(float(timing.get("app", "nan")))

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return samples


def _wait_started(server: uvicorn.Server) -> None:
    while not server.started:
        time.sleep(0.05)


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


async def bench(settings: Settings, mentions: int, rollup_rows: int, count: int) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    url = make_url(settings.postgres_url.get_secret_value())
    admin = create_async_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    database = f"bench_api_{tag}"
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{database}"'))
    own = settings.model_copy(
        update={
            "postgres_url": SecretStr(url.set(database=database).render_as_string(False)),
            "es_alias": f"bench-api-{tag}",
            "api_keys": [SecretStr(KEY)],
            "elastic_flush_after_s": 0.2,
            "persist_flush_after_s": 0.2,
            "worker_block_ms": 50,
        }
    )
    await asyncio.to_thread(migrate.upgrade, own)
    es = clients.elasticsearch_client(own)
    try:
        await seed(own, mentions, rollup_rows)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(create_app(own), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        await asyncio.to_thread(_wait_started, server)
        base = f"http://127.0.0.1:{port}"
        engine = clients.postgres_engine(own)
        brands = [b.id for b in await list_brands(engine)]
        await engine.dispose()
        results: dict[str, Any] = {}
        for name, paths in requests(brands).items():
            uncached = await drive(base, paths, count)
            cached = await drive(base, paths[:1], count)
            results[name] = {"uncached": uncached.__dict__, "cached": cached.__dict__}
        server.should_exit = True
        await asyncio.to_thread(thread.join, 10)
        return results
    finally:
        await es.indices.delete(index=single_index_name(own), ignore_unavailable=True)
        await es.options(ignore_status=404).indices.delete_index_template(name=own.es_alias)
        await es.close()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        await admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=2000)
    parser.add_argument("--rollup-rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    results = asyncio.run(bench(Settings(), args.mentions, args.rollup_rows, args.requests))
    print(f"\n{CLIENTS} concurrent clients, {args.requests} requests per row; milliseconds")
    print(f"{'endpoint':<28}{'p50':>8}{'p95':>8}{'cached p50':>12}{'cached p95':>12}{'own p95':>10}")
    worst_own = worst_cached = rollup_p95 = 0.0
    for name, row in results.items():
        un, ca = row["uncached"], row["cached"]
        own = p(un["own"] + ca["own"], 95)
        print(f"{name:<28}{p(un['total'], 50):>8.1f}{p(un['total'], 95):>8.1f}"
              f"{p(ca['total'], 50):>12.1f}{p(ca['total'], 95):>12.1f}{own:>10.1f}")  # fmt: skip
        worst_own = max(worst_own, own)
        if name.startswith("analytics"):
            worst_cached = max(worst_cached, p(ca["total"], 95))
        if name.startswith("rollups"):
            rollup_p95 = p(un["total"], 95)
    checks = [
        ("API's own cost p95 (worst endpoint)", worst_own, 10.0),
        ("cached analytics p95 (worst endpoint)", worst_cached, 20.0),
        ("rollups over 1M rows p95", rollup_p95, 50.0),
    ]
    print(f"\n{'figure':<42}{'ms':>8}  {'target':<10}result")
    for label, value, target in checks:
        print(f"{label:<42}{value:>8.1f}  {f'< {target:g}':<10}{'pass' if value < target else 'FAIL'}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "api.json").write_text(json.dumps({"at": datetime.now(UTC).isoformat(), **results}, indent=1))


if __name__ == "__main__":
    main()
