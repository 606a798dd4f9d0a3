"""`brandpulse worker ...`: run a stream worker in the foreground (SIGTERM stops it cleanly)."""

import asyncio

import typer

from brandpulse import metrics_server
from brandpulse.settings import get_settings

app = typer.Typer(help="Stream workers.", no_args_is_help=True)
BURST = typer.Option(False, help="Exit once the streams are drained.")


@app.command("elastic")
def elastic(burst: bool = BURST) -> None:
    """Enrich mentions from the raw stream and index them into Elasticsearch."""
    from workers.elastic.main import run  # noqa: PLC0415 - loads torch; keep `brandpulse --help` fast

    settings = get_settings()
    metrics_server.serve(settings.metrics_host, settings.elastic_worker_metrics_port)
    stats = asyncio.run(run(settings, burst=burst))
    typer.echo(f"processed={stats.processed} dead_lettered={stats.dead_lettered} retried={stats.retried}")


@app.command("persist")
def persist(burst: bool = BURST) -> None:
    """Store raw mentions and their enrichments in PostgreSQL and keep the hourly rollups."""
    from workers.persist.main import run  # noqa: PLC0415 - same lazy imports as `elastic`

    settings = get_settings()
    metrics_server.serve(settings.metrics_host, settings.persist_worker_metrics_port)
    mentions, enrichments = asyncio.run(run(settings, burst=burst))
    typer.echo(
        f"mentions: processed={mentions.processed} dead_lettered={mentions.dead_lettered}; "
        f"enrichments: processed={enrichments.processed} dead_lettered={enrichments.dead_lettered}"
    )
