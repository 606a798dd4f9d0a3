"""The rig for the fault suite: a private stack, the real services as processes, and the result table."""

import asyncio
import shutil
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from brandpulse import migrate, stack
from brandpulse.brands import ensure_demo_brands
from brandpulse.contract import ENRICHED_STREAM, RAW_STREAM, STREAM_GROUPS
from tests.reliability.checks import TABLE, format_table
from tests.reliability.rig import FAULTY_WORKER, Rig, free_port, open_clients, private_settings

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
async def rig() -> AsyncIterator[Rig]:
    """BrandPulse on a stack of its own: servers, elastic and persist workers and the API, all running."""
    root = ROOT / ".stack" / f"reliability-{uuid.uuid4().hex[:8]}"
    settings = private_settings(root)
    await asyncio.to_thread(stack.up, settings)
    redis, es, engine = open_clients(settings)
    port = free_port()
    (root / "logs").mkdir(parents=True, exist_ok=True)
    rig = Rig(settings, root / "logs", redis, es, engine, f"http://127.0.0.1:{port}")
    try:
        await asyncio.to_thread(migrate.upgrade, settings)
        await ensure_demo_brands(engine)
        rig.add("elastic", str(FAULTY_WORKER))
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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fault suite's table, after the run."""
    if TABLE:
        terminalreporter.write_sep("=", "fault suite")
        terminalreporter.write_line(format_table(TABLE))
