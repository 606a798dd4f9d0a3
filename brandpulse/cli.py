"""The `brandpulse` command line."""

import asyncio
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from brandpulse import brands, brands_cli, es_indices, kibana, logs, migrate, services, stack
from brandpulse.clients import elasticsearch_client, postgres_engine
from brandpulse.settings import get_settings

T = TypeVar("T")
app = typer.Typer(help="BrandPulse: brand monitoring on Elasticsearch.", no_args_is_help=True)
stack_app = typer.Typer(help="The local stack: Redis + RedisBloom, PostgreSQL, the ES-API server.")
es_app = typer.Typer(help="Elasticsearch set-up.")
kibana_app = typer.Typer(help="Kibana: BrandPulse's data view, saved searches and dashboard.")
app.add_typer(stack_app, name="stack")
app.add_typer(es_app, name="es")
app.add_typer(kibana_app, name="kibana")
app.add_typer(brands_cli.app, name="brands")
# The apps (ingest, workers, api) add their own command groups through this entry-point group, so the
# core never imports them. Their modules import heavy dependencies inside the commands, not at load.
for command_group in entry_points(group="brandpulse.commands"):
    app.add_typer(command_group.load(), name=command_group.name)
console = Console(width=None if sys.stdout.isatty() else 160)
# What the demo's services run with unless configured: an hour of mentions in Elasticsearch at 1/s.
DEMO_DEFAULTS = {"es_retention_hours": "1", "simulator_posts_per_minute": "60"}


@app.callback()
def configure_logging() -> None:
    """Log at the configured level: JSON lines, readable ones on a terminal."""
    logs.configure(get_settings().log_level)


def _show(statuses: list[stack.Status]) -> None:
    with_action = any(item.action for item in statuses)
    table = Table("component", "action" if with_action else "state", "url", "pid", "log")
    for column in table.columns:
        column.overflow = "fold"
    for item in statuses:
        log = item.log.relative_to(Path.cwd()) if item.log.is_relative_to(Path.cwd()) else item.log
        state = item.action or item.state
        table.add_row(item.name, state, item.url, str(item.pid or "-"), str(log))
    console.print(table)


def _up() -> list[stack.Status]:
    try:
        return stack.up(get_settings())
    except stack.StackError as error:
        console.print(f"[red]stack up failed:[/] {error}", soft_wrap=True)
        raise typer.Exit(1) from None


@stack_app.command("up")
def stack_up() -> None:
    """Start what is not running yet and wait until every component is healthy (idempotent)."""
    _show(_up())


@stack_app.command("down")
def stack_down() -> None:
    """Stop the servers this stack started; external ones are left alone."""
    stopped = stack.down(get_settings())
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "nothing of ours was running")


@stack_app.command("status")
def stack_status() -> None:
    """Show each component's state, URL, pid and log file."""
    _show(stack.status(get_settings()))


@app.command("migrate")
def migrate_database(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Migrate PostgreSQL forwards to a revision (default: the newest)."""
    migrate.upgrade(get_settings(), revision)
    console.print(f"database at revision {revision}")


@es_app.command("setup")
def es_setup() -> None:
    """Install the mentions index template, index and alias and, if configured, Kibana's password."""

    async def run() -> None:
        settings = get_settings()
        async with elasticsearch_client(settings) as es:
            await es_indices.ensure_indices(es, settings)
            if settings.kibana_system_password:
                await kibana.set_kibana_system_password(es, settings.kibana_system_password)

    asyncio.run(run())
    console.print(f"Elasticsearch ready: template and alias {get_settings().es_alias!r} in place")


@kibana_app.command("import")
def kibana_import(url: str = typer.Option(None, help="Kibana URL (default: BRANDPULSE_KIBANA_URL).")) -> None:
    """Import the saved objects into Kibana, overwriting earlier copies (re-running is harmless)."""
    try:
        imported = kibana.import_saved_objects(get_settings(), url)
    except kibana.ImportFailed as error:
        console.print(f"[red]Kibana import failed:[/] {error}", soft_wrap=True)
        raise typer.Exit(1) from None
    console.print(f'Kibana: {imported} saved objects imported (dashboard "BrandPulse overview")')


async def _with_engine(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    engine = postgres_engine(get_settings())
    try:
        return await work(engine)
    finally:
        await engine.dispose()


@app.command("demo")
def demo() -> None:
    """Bring up the stack, migrate, start the services, run until Ctrl-C, then stop what this started."""
    settings = get_settings()
    before = {item.name for item in stack.status(settings) if item.state == "running"}
    _show(_up())
    migrate.upgrade(settings)
    console.print("database migrated to the newest revision")
    added = asyncio.run(_with_engine(brands.ensure_demo_brands))
    console.print(f"demo brands added: {', '.join(added)}" if added else "brands: using the registered ones")
    for name, value in DEMO_DEFAULTS.items():  # the local ES-API server stays fast with a few thousand docs
        if name not in settings.model_fields_set:
            os.environ[f"BRANDPULSE_{name.upper()}"] = value
    supervisor = services.Supervisor(settings.stack_dir / "logs")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    for service in services.available(app):
        log = supervisor.start(service)
        console.print(f"started {service.name}: `brandpulse {' '.join(service.argv)}`, log {log}")
    ui = f"http://{settings.api_host}:{settings.api_port}/"
    built = (settings.ui_dir / "index.html").is_file()
    console.print(f"BrandPulse is up: open {ui}" if built else f"BrandPulse is up: API docs at {ui}docs")
    console.print("Press Ctrl-C to stop.")
    while not stop.wait(0.5):
        for service, code in supervisor.exited():
            console.print(f"[red]{service.name} exited with {code}[/]; see {settings.stack_dir / 'logs'}")
    console.print(f"stopped services: {', '.join(supervisor.stop()) or 'none'}")
    parts = reversed(stack.components(settings))
    stopped = [part.name for part in parts if part.name not in before and part.down()]
    console.print(f"stopped: {', '.join(stopped) or 'nothing (it was running before the demo)'}")
