"""`brandpulse demo` runs only the services whose commands are installed."""

import typer

from brandpulse.services import Service, available


def cli_with(*commands: tuple[str, str]) -> typer.Typer:
    app = typer.Typer()
    groups: dict[str, typer.Typer] = {}
    for group, name in commands:
        if group not in groups:
            groups[group] = typer.Typer()
            app.add_typer(groups[group], name=group)
        groups[group].command(name)(lambda: None)
    return app


def test_only_registered_commands_are_available() -> None:
    services = (Service("elastic worker", ("worker", "elastic")), Service("api", ("api", "serve")))
    cli = cli_with(("worker", "elastic"), ("worker", "other"))
    assert available(cli, services) == [services[0]]


def test_a_service_slug_is_a_file_name() -> None:
    assert Service("elastic worker", ("worker", "elastic")).slug == "elastic-worker"
