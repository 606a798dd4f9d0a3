"""What the UI's end-to-end test runs beside the browser: the real API serving the built UI, a simulator
publishing mentions, and the Playwright script (`frontend/e2e/ui.mjs`) in Debian's Chromium."""

import asyncio
import contextlib
import json
import os
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import uvicorn
from fastapi import FastAPI

from ingest.pipeline import Pipeline
from ingest.sources.simulator import SimulatedMentions
from tests.ports import free_port

FRONTEND: Final = Path(__file__).resolve().parents[2] / "frontend"
SCREENSHOTS: Final = FRONTEND / "e2e-screenshots"
CHROMIUM: Final = "/usr/bin/chromium"
BROWSER_TIMEOUT_S: Final = 240.0


@contextlib.asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on a free loopback port in this event loop; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # raises what stopped it
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def simulate(pipeline: Pipeline, mentions: SimulatedMentions, every_s: float) -> None:
    """Publish a simulated mention of now every `every_s` seconds, as `brandpulse ingest simulate` does."""
    while True:
        mention = pipeline.attribute(mentions.next(datetime.now(UTC)))
        if mention.brand_ids:
            await pipeline.publisher.publish([mention])
        await asyncio.sleep(every_s)


@dataclass(frozen=True)
class BrowserRun:
    """What the browser script reported: the brand it created, the dead letters it replayed."""

    created_brand: str
    replayed: list[str]
    seconds: float


def _node() -> str:
    node = shutil.which("node")
    if node is None or not Path(CHROMIUM).exists() or not (FRONTEND / "node_modules").is_dir():
        raise RuntimeError("the UI end-to-end test needs node, /usr/bin/chromium and frontend/node_modules")
    return node


def screenshots_since(seconds_ago: float) -> set[str]:
    """The names of the screenshots saved in the last `seconds_ago` seconds."""
    since = time.time() - seconds_ago
    return {path.stem for path in SCREENSHOTS.glob("*.png") if path.stat().st_mtime > since}


async def run_browser(base_url: str, api_key: str, facts: dict[str, Any]) -> BrowserRun:
    """Run the Playwright script against `base_url`; it saves a screenshot per page and prints its result."""
    node = _node()
    env = {
        **os.environ,
        "BASE_URL": base_url,
        "API_KEY": api_key,
        "CHROMIUM": CHROMIUM,
        "SCREENSHOTS": str(SCREENSHOTS),
        "FACTS": json.dumps(facts),
    }
    started = asyncio.get_running_loop().time()
    process = await asyncio.create_subprocess_exec(
        node,
        "e2e/ui.mjs",
        cwd=FRONTEND,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), BROWSER_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        raise
    log = out.decode() + err.decode()
    if process.returncode != 0:
        raise AssertionError(f"the browser script failed:\n{log}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    seconds = asyncio.get_running_loop().time() - started
    return BrowserRun(created_brand=result["createdBrand"], replayed=result["replayed"], seconds=seconds)
