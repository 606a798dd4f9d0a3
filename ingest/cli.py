"""`brandpulse ingest run|file|simulate`: publish mentions to the raw stream, once each."""

import asyncio
import logging
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import typer
from redis.asyncio import Redis
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.ext.asyncio import AsyncEngine

from brandpulse import metrics_server
from brandpulse.brand_query import Matcher
from brandpulse.brands import BrandPublic, ensure_demo_brands, list_brands, queries
from brandpulse.clients import postgres_engine, redis_client
from brandpulse.settings import Settings, get_settings
from ingest.batches import import_file, publish_stream
from ingest.http import http_client
from ingest.pipeline import Pipeline
from ingest.publisher import Publisher
from ingest.scheduler import Scheduler
from ingest.sources import network_sources
from ingest.sources.files import InvalidLine, read_mentions
from ingest.sources.simulator import SimBrand, stream

app = typer.Typer(help="Ingest: connectors, dedupe, publishing to the raw stream.", no_args_is_help=True)
console = Console(stderr=True)
log = logging.getLogger(__name__)
PATH = typer.Argument(..., exists=True, dir_okay=False, help="A .jsonl/.ndjson or .csv file.")
STRICT = typer.Option(False, help="Refuse the whole import if any line is bad.")


@dataclass
class Context:
    """What every ingest command works with."""

    settings: Settings
    redis: Redis
    engine: AsyncEngine
    brands: list[BrandPublic]
    pipeline: Pipeline


@asynccontextmanager
async def context(*, demo_brands: bool = False) -> AsyncIterator[Context]:
    """Settings, the active brands (the demo ones first if asked and none exist), and a pipeline."""
    settings = get_settings()
    redis, engine = redis_client(settings), postgres_engine(settings)
    try:
        if demo_brands and (added := await ensure_demo_brands(engine)):
            log.info("registered the demo brands: %s", ", ".join(added))
        brands = await list_brands(engine, active_only=True)
        if not brands:
            console.print("[red]no active brand: add one with `brandpulse brands add`[/]")
            raise typer.Exit(1)
        pipeline = Pipeline(Publisher(redis, settings), Matcher(queries(brands)))
        yield Context(settings, redis, engine, brands, pipeline)
    finally:
        await redis.aclose()
        await engine.dispose()


def until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run `main(stop)`; SIGTERM or Ctrl-C sets `stop`."""

    async def run() -> None:
        stop = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        await main(stop)

    asyncio.run(run())


@app.command("run")
def run(once: bool = typer.Option(False, help="Poll every source once, then exit.")) -> None:
    """Poll every enabled source for every active brand, each on its interval, until stopped."""

    async def main(stop: asyncio.Event) -> None:
        async with context() as ctx, http_client(ctx.settings) as client:
            sources = network_sources(ctx.settings, client)
            scheduler = Scheduler(ctx.settings, ctx.redis, ctx.engine, ctx.pipeline, sources)
            stopper = asyncio.create_task(_stop_on(stop, scheduler.stop))
            try:
                await scheduler.run(once=once)
            finally:
                stopper.cancel()
            console.print(ctx.pipeline.summary() or "nothing fetched")

    _serve_metrics()
    until_signalled(main)


def _serve_metrics() -> None:
    settings = get_settings()
    metrics_server.serve(settings.metrics_host, settings.ingest_metrics_port)


async def _stop_on(event: asyncio.Event, stop: Callable[[], None]) -> None:
    await event.wait()
    stop()


@app.command("file")
def file_command(path: Path = PATH, strict: bool = STRICT) -> None:
    """Import mentions from a JSONL or CSV file; bad lines are reported with their number and skipped."""
    if strict:
        try:
            for _ in read_mentions(path, strict=True):
                pass
        except InvalidLine as error:
            console.print(f"[red]import refused, nothing published:[/] {error}")
            raise typer.Exit(1) from None

    size = path.stat().st_size

    async def main(stop: asyncio.Event) -> None:
        async with context() as ctx:
            with _bytes_progress(path) as progress:
                task = progress.add_task("importing", total=size)
                await import_file(
                    ctx.pipeline, path, ctx.settings.ingest_publish_batch_size, stop,
                    on_progress=lambda done: progress.update(task, completed=done),
                )  # fmt: skip
            console.print(ctx.pipeline.summary())

    until_signalled(main)


def _bytes_progress(path: Path) -> Progress:
    return Progress(
        TextColumn(f"[bold]{path.name}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
    )


@app.command("simulate")
def simulate(
    posts_per_minute: int = typer.Option(None, help="Rate (default: BRANDPULSE_SIMULATOR_POSTS_PER_MINUTE)."),
    seed: int = typer.Option(
        None, help="Random seed for a reproducible run (default: the setting, or random)."
    ),
    limit: int = typer.Option(None, help="Stop after this many mentions (default: run until stopped)."),
    demo_brands: bool = typer.Option(False, help="Register the demo brands first if no brand exists."),
) -> None:
    """Publish realistic synthetic mentions for the active brands, paced, until stopped."""

    async def main(stop: asyncio.Event) -> None:
        async with context(demo_brands=demo_brands) as ctx:
            rate = posts_per_minute or ctx.settings.simulator_posts_per_minute
            brands = [SimBrand(id=brand.id, name=brand.name) for brand in ctx.brands]
            mentions = stream(
                brands, posts_per_minute=rate, seed=seed if seed is not None else ctx.settings.simulator_seed,
                limit=limit,
            )  # fmt: skip
            log.info("simulating %d mentions/min for %s", rate, ", ".join(b.name for b in brands))
            await publish_stream(ctx.pipeline, mentions, stop, on_batch=_show_counts)
            console.print(ctx.pipeline.summary())

    _serve_metrics()
    until_signalled(main)


def _show_counts(pipeline: Pipeline) -> None:
    if sys.stderr.isatty():
        console.print(pipeline.summary(), end="\r")
