"""`brandpulse api serve`: the API with uvicorn."""

import typer

from brandpulse.settings import get_settings

app = typer.Typer(help="The HTTP API.", no_args_is_help=True)


@app.command("serve")
def serve(
    host: str = typer.Option(None, help="Interface (default: BRANDPULSE_API_HOST)."),
    port: int = typer.Option(None, help="Port (default: BRANDPULSE_API_PORT)."),
    workers: int = typer.Option(None, min=1, help="Processes (default: BRANDPULSE_API_WORKERS)."),
) -> None:
    """Serve the API (and the UI once built) until stopped."""
    import uvicorn  # noqa: PLC0415 - keep `brandpulse --help` fast

    settings = get_settings()
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
        workers=workers or settings.api_workers,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )
