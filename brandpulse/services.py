"""The long-running services `brandpulse demo` supervises: child processes of this same CLI.

The core names the apps' commands (never imports them); a service runs only once its app has
registered that command, so the demo grows as ingest, the workers and the API land.
"""

import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import typer
from typer.models import CommandInfo


@dataclass(frozen=True)
class Service:
    """One long-running command of the CLI."""

    name: str
    argv: tuple[str, ...]

    @property
    def slug(self) -> str:
        """The name as a file name."""
        return self.name.replace(" ", "-")


DEMO_SERVICES = (
    Service("elastic worker", ("worker", "elastic")),
    Service("persist worker", ("worker", "persist")),
    Service("api", ("api", "serve")),
    Service("simulator", ("ingest", "simulate")),
)


def available(cli: typer.Typer, services: tuple[Service, ...] = DEMO_SERVICES) -> list[Service]:
    """The services whose command is registered in this installation's CLI."""
    registered = {
        (group.name, command.name or _command_name(command))
        for group in cli.registered_groups
        if group.typer_instance
        for command in group.typer_instance.registered_commands
    }
    return [service for service in services if service.argv[:2] in registered]


def _command_name(command: CommandInfo) -> str | None:
    return command.callback.__name__.replace("_", "-") if command.callback else None


class Supervisor:
    """Starts services with their output in log files, and stops them all with SIGTERM."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.running: dict[Service, subprocess.Popen[bytes]] = {}

    def start(self, service: Service) -> Path:
        """Start one service in its own session (Ctrl-C reaches it through us); returns its log."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / f"{service.slug}.log"
        with log.open("ab") as output:
            self.running[service] = subprocess.Popen(
                [sys.executable, "-m", "brandpulse", *service.argv],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                start_new_session=True,
            )
        return log

    def exited(self) -> list[tuple[Service, int]]:
        """Services that stopped on their own since the last call, with their exit codes."""
        gone = [(service, code) for service, p in self.running.items() if (code := p.poll()) is not None]
        for service, _ in gone:
            del self.running[service]
        return gone

    def stop(self, timeout_s: float = 30.0) -> list[str]:
        """SIGTERM every service (they finish their batch), SIGKILL what outlives the timeout."""
        for process in self.running.values():
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for process in self.running.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        stopped = [service.name for service in self.running]
        self.running.clear()
        return stopped
