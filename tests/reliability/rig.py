"""A private BrandPulse for the fault suite: its own stack on free ports, and every service a process.

The servers are the real ones (`brandpulse.stack` components under a stack folder of its own), so a fault
can stop or restart one without touching the developer's stack. The ingester (the simulator), both
workers and the API run as `brandpulse` processes with the rig's settings in their environment.
"""

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from elasticsearch import AsyncElasticsearch
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncEngine

from brandpulse import clients, migrate, stack
from brandpulse.brands import ensure_demo_brands
from brandpulse.contract import ENRICHED_STREAM, RAW_STREAM, STREAM_GROUPS
from brandpulse.settings import Settings
from brandpulse.stack.component import Component
from tests.ports import free_port

FAULTY_WORKER = Path(__file__).with_name("faulty_elastic_worker.py")
PUBLISHED = re.compile(r"published=(\d+)")


def private_settings(root: Path) -> Settings:
    """Settings for a stack of its own under `root`: fresh ports, short timers, trimming off."""
    return Settings(
        stack_dir=root,
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
        postgres_url=f"postgresql+asyncpg://brandpulse:brandpulse@127.0.0.1:{free_port()}/brandpulse",
        elasticsearch_url=f"http://127.0.0.1:{free_port()}",
        worker_min_idle_ms=3000,  # a killed worker's entries are claimed after 3 s
        worker_retry_max_s=3.0,
        worker_trim_every_s=86_400.0,  # keep every entry: the stream says what was published
        worker_block_ms=200,
        elastic_flush_after_s=0.2,
        persist_flush_after_s=0.2,
        api_keys=["reliability-key"],
        alert_every_s=3600.0,
    )


def environment(settings: Settings) -> dict[str, str]:
    """The environment a child process needs to use the rig's stack."""
    values = {
        "BRANDPULSE_STACK_DIR": str(settings.stack_dir),
        "BRANDPULSE_REDIS_URL": settings.redis_url,
        "BRANDPULSE_POSTGRES_URL": settings.postgres_url.get_secret_value(),
        "BRANDPULSE_ELASTICSEARCH_URL": settings.elasticsearch_url,
        "BRANDPULSE_WORKER_MIN_IDLE_MS": str(settings.worker_min_idle_ms),
        "BRANDPULSE_WORKER_RETRY_MAX_S": str(settings.worker_retry_max_s),
        "BRANDPULSE_WORKER_TRIM_EVERY_S": str(settings.worker_trim_every_s),
        "BRANDPULSE_WORKER_BLOCK_MS": str(settings.worker_block_ms),
        "BRANDPULSE_ELASTIC_FLUSH_AFTER_S": str(settings.elastic_flush_after_s),
        "BRANDPULSE_PERSIST_FLUSH_AFTER_S": str(settings.persist_flush_after_s),
        "BRANDPULSE_API_KEYS": '["reliability-key"]',
        "BRANDPULSE_ALERT_EVERY_S": str(settings.alert_every_s),
        "BRANDPULSE_LOG_LEVEL": "INFO",
        "HF_HUB_OFFLINE": "1",
    }
    return {**os.environ, **values}


@dataclass
class Service:
    """One `brandpulse` process, restartable; its output goes to a log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        """Start the process (appending to its log)."""
        self.starts += 1
        with self.log.open("ab") as log:
            log.write(f"\n--- start {self.starts} ---\n".encode())
            log.flush()
            self.process = subprocess.Popen(self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def kill9(self) -> None:
        """SIGKILL: no clean-up, no final ack."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout_s: float = 30.0) -> None:
        """SIGTERM, then SIGKILL after `timeout_s`."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.kill9()

    def alive(self) -> bool:
        """Whether the process runs."""
        return self.process is not None and self.process.poll() is None


@dataclass
class Rig:
    """The private stack, its clients and its services."""

    settings: Settings
    logs: Path
    redis: Redis
    es: AsyncElasticsearch
    engine: AsyncEngine
    api_url: str
    services: dict[str, Service] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return environment(self.settings)

    def add(self, name: str, *command: str) -> Service:
        """`python <command>` as a service called `name`, started."""
        service = Service(name, [sys.executable, *command], self.env, self.logs / f"{name}.log")
        self.services[name] = service
        service.start()
        return service

    def component(self, name: str) -> Component:
        """The stack server called `name` (redis, postgres or elasticsearch)."""
        return next(part for part in stack.components(self.settings) if part.name == name)

    async def ingest(self, *, seed: int, count: int, posts_per_minute: int) -> int:
        """Run the simulator ingester to its end; returns how many mentions it says it published."""
        log = self.logs / f"ingest-{seed}.log"
        argv = [sys.executable, "-m", "brandpulse", "ingest", "simulate", "--seed", str(seed)]
        argv += ["--limit", str(count), "--posts-per-minute", str(posts_per_minute)]
        with log.open("wb") as out:
            process = await asyncio.to_thread(
                subprocess.run, argv, env=self.env, stdout=out, stderr=subprocess.STDOUT, check=False
            )
        text = log.read_text()
        assert process.returncode == 0, f"the ingester failed:\n{text[-2000:]}"
        return int(PUBLISHED.findall(text)[-1])  # from the summary it prints last

    async def backlog(self) -> int:
        """Entries some group has not finished: lag plus pending, over both streams (0 = drained)."""
        total = 0
        for stream in (RAW_STREAM, ENRICHED_STREAM):
            infos = {i["name"].decode(): i for i in await self.redis.xinfo_groups(stream)}
            for group in STREAM_GROUPS[stream]:
                info = infos.get(group)
                total += 10**9 if info is None else int(info["lag"] or 0) + int(info["pending"])
        return total

    async def api_lag(self) -> int | None:
        """The largest group lag `GET /api/ingestion` reports, or None while the API cannot tell."""
        try:
            async with httpx.AsyncClient(base_url=self.api_url, timeout=2.0) as http:
                response = await http.get("/api/ingestion")
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        return max((g["lag"] or 0 for s in body["streams"] for g in s["groups"]), default=0)

    async def wait_drained(self, timeout_s: float) -> float:
        """Seconds until every group has read and acked everything; fails after `timeout_s`."""
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            try:
                if await self.backlog() == 0:
                    return time.monotonic() - started
            except RedisError:  # our own connection, from before a Redis restart
                pass
            await asyncio.sleep(0.25)
        raise AssertionError(f"not drained after {timeout_s:.0f} s: backlog {await self.backlog()}")


def open_clients(settings: Settings) -> tuple[Redis, AsyncElasticsearch, AsyncEngine]:
    """Clients for the rig's stack."""
    return (
        clients.redis_client(settings),
        clients.elasticsearch_client(settings),
        clients.postgres_engine(settings),
    )


@asynccontextmanager
async def running(root: Path, elastic: list[str]) -> AsyncIterator[Rig]:
    """A rig under `root` with its stack, the elastic worker (`python <elastic>`), the persist worker and
    the API running and ready; everything stopped and removed on exit."""
    settings = private_settings(root)
    await asyncio.to_thread(stack.up, settings)
    redis, es, engine = open_clients(settings)
    port = free_port()
    (root / "logs").mkdir(parents=True, exist_ok=True)
    rig = Rig(settings, root / "logs", redis, es, engine, f"http://127.0.0.1:{port}")
    try:
        await asyncio.to_thread(migrate.upgrade, settings)
        await ensure_demo_brands(engine)
        rig.add("elastic", *elastic)
        rig.add("persist", "-m", "brandpulse", "worker", "persist")
        rig.add("api", "-m", "brandpulse", "api", "serve", "--port", str(port))
        await ready(rig)
        yield rig
    finally:
        for service in rig.services.values():
            service.stop()
        await redis.aclose()
        await es.close()
        await engine.dispose()
        await asyncio.to_thread(stack.down, settings)
        shutil.rmtree(root, ignore_errors=True)


async def ready(rig: Rig, timeout_s: float = 180.0) -> None:
    """Wait until the API answers and both workers joined their groups (the models are loaded)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for service in rig.services.values():
            assert service.alive(), f"{service.name} exited; see {service.log}"
        try:
            async with httpx.AsyncClient(base_url=rig.api_url, timeout=2) as http:
                api_up = (await http.get("/api/ready")).status_code == 200
            groups = {
                stream: {i["name"].decode() for i in await rig.redis.xinfo_groups(stream)}
                for stream in (RAW_STREAM, ENRICHED_STREAM)
            }
            consumers = await rig.redis.xinfo_consumers(RAW_STREAM, "elastic")
        except Exception:  # not up yet, whatever the reason
            api_up, groups, consumers = False, {}, []
        if api_up and consumers and all(set(STREAM_GROUPS[s]) <= groups.get(s, set()) for s in STREAM_GROUPS):
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"the rig was not ready after {timeout_s:.0f} s; logs in {rig.logs}")
