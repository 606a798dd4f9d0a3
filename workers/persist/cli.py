"""`brandpulse rollups rebuild`: recompute the hourly rollups from the base tables."""

import asyncio
from datetime import UTC, datetime

import typer
from rich.progress import Progress

from brandpulse.clients import postgres_engine
from brandpulse.rollups import rebuild
from brandpulse.settings import get_settings

app = typer.Typer(help="Hourly rollups in PostgreSQL.", no_args_is_help=True)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SINCE = typer.Option(EPOCH, help="First UTC day to recompute (default: the first mention).")


@app.command("rebuild")
def rebuild_rollups(since: datetime = SINCE) -> None:
    """Recompute every rollup from SINCE until now, a day per transaction (safe while workers run)."""
    asyncio.run(_rebuild(since.replace(tzinfo=since.tzinfo or UTC)))


async def _rebuild(since: datetime) -> None:
    engine = postgres_engine(get_settings())
    try:
        with Progress() as progress:
            task = progress.add_task("rebuilding rollups (days)", total=None)
            async for done, days in rebuild(engine, since, datetime.now(UTC)):
                progress.update(task, completed=done, total=days)
    finally:
        await engine.dispose()
    typer.echo("rollups rebuilt")
