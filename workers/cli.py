"""`brandpulse worker ...`: run a stream worker in the foreground (SIGTERM stops it cleanly)."""

import asyncio

import typer

from brandpulse.settings import get_settings

app = typer.Typer(help="Stream workers.", no_args_is_help=True)


@app.command("elastic")
def elastic(burst: bool = typer.Option(False, help="Exit once the stream is drained.")) -> None:
    """Enrich mentions from the raw stream and index them into Elasticsearch."""
    from workers.elastic.main import run  # noqa: PLC0415 - loads torch; keep `brandpulse --help` fast

    stats = asyncio.run(run(get_settings(), burst=burst))
    typer.echo(f"processed={stats.processed} dead_lettered={stats.dead_lettered} retried={stats.retried}")
