"""`brandpulse api serve`: the API with uvicorn."""

import os
import tempfile
from typing import Any

import typer

from brandpulse import logs
from brandpulse.settings import get_settings

APP = "api.main:create_app"
app = typer.Typer(help="The HTTP API.", no_args_is_help=True)


@app.command("serve")
def serve(
    host: str = typer.Option(None, help="Interface (default: BRANDPULSE_API_HOST)."),
    port: int = typer.Option(None, help="Port (default: BRANDPULSE_API_PORT)."),
    workers: int = typer.Option(None, min=1, help="Processes (default: BRANDPULSE_API_WORKERS)."),
) -> None:
    """Serve the API (and the UI once built) until stopped."""
    import uvicorn  # noqa: PLC0415 - keep `brandpulse --help` fast

    from api import processes  # noqa: PLC0415 - imports uvicorn

    settings = get_settings()
    workers = workers or settings.api_workers
    if workers > 1:  # each process records to files here and /metrics adds them up
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="brandpulse-metrics-"))
    options: dict[str, Any] = {
        "factory": True,
        "host": host or settings.api_host,
        "port": port or settings.api_port,
        "workers": workers,
        "log_config": logs.config(settings.log_level),
        "log_level": settings.log_level.lower(),
        "proxy_headers": True,
    }
    if workers > 1 and processes.supported(config := uvicorn.Config(APP, **options)):
        raise typer.Exit(processes.run(config, workers))  # a socket per process: see api/processes.py
    uvicorn.run(APP, **options)
