"""`brandpulse worker ...`: run a stream worker in the foreground (SIGTERM stops it cleanly)."""

import asyncio

import typer

from brandpulse.settings import get_settings

app = typer.Typer(help="Stream workers.", no_args_is_help=True)
BURST = typer.Option(False, help="Exit once the streams are drained.")


@app.command("elastic")
def elastic(burst: bool = BURST) -> None:
    """Enrich mentions from the raw stream and index them into Elasticsearch."""
    from workers.elastic.main import run  # noqa: PLC0415 - loads torch; keep `brandpulse --help` fast

    stats = asyncio.run(run(get_settings(), burst=burst))
    typer.echo(f"processed={stats.processed} dead_lettered={stats.dead_lettered} retried={stats.retried}")


@app.command("persist")
def persist(burst: bool = BURST) -> None:
    """Store raw mentions and their enrichments in PostgreSQL and keep the hourly rollups."""
    from workers.persist.main import run  # noqa: PLC0415 - same lazy imports as `elastic`

    mentions, enrichments = asyncio.run(run(get_settings(), burst=burst))
    typer.echo(
        f"mentions: processed={mentions.processed} dead_lettered={mentions.dead_lettered}; "
        f"enrichments: processed={enrichments.processed} dead_lettered={enrichments.dead_lettered}"
    )
