"""One server of the local stack: its process, pid file, log, health wait and stop."""

import os
import signal
import subprocess
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import SplitResult, urlsplit

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
State = Literal["running", "stopped", "external", "foreign"]


class StackError(RuntimeError):
    """A component could not start or stop; the message is one line naming it and its log."""


@dataclass(frozen=True)
class Status:
    """What `brandpulse stack status` shows for one component."""

    name: str
    state: State
    url: str
    pid: int | None
    log: Path
    action: str = ""  # what `up` did: started, already running, ...


class Component(ABC):
    """A server the stack may run: local when its URL is on loopback, external otherwise."""

    name: str
    process_name: str  # a word that must be in /proc/<pid>/cmdline for the pid file to be ours
    stop_signal: signal.Signals = signal.SIGTERM  # the server's own "shut down cleanly, now"

    def __init__(self, url: str, stack_dir: Path) -> None:
        self.url: SplitResult = urlsplit(url)
        self.dir = (stack_dir / self.name).absolute()
        self.log = self.dir / f"{self.name}.log"

    @property
    def port(self) -> int:
        """The port from the URL."""
        if self.url.port is None:
            raise StackError(f"{self.name}: the URL names no port")
        return self.url.port

    @property
    def is_local(self) -> bool:
        """Whether this stack should run the server (its URL is on loopback)."""
        return (self.url.hostname or "") in LOOPBACK_HOSTS

    def status(self) -> Status:
        """The component's state now, without changing anything."""
        pid = self.pid()
        if not self.is_local:
            state: State = "external"
        elif pid:
            state = "running"
        else:
            state = "foreign" if self.healthy() else "stopped"
        return Status(self.name, state, self.public_url(), pid, self.log)

    def public_url(self) -> str:
        """The URL with any password masked."""
        url = self.url
        if url.password:
            netloc = url.netloc.replace(f":{url.password}@", ":***@")
            url = url._replace(netloc=netloc)
        return url.geturl()

    def up(self, timeout_s: float) -> str:
        """Start the server unless it runs already, wait until it is healthy; says what it did."""
        if not self.is_local:
            return "left alone (external)"
        if self.pid() is not None:
            action = "already running"
        elif self.healthy():
            return "left alone (another process serves this port)"
        else:
            self.dir.mkdir(parents=True, exist_ok=True)
            self.launch()
            action = "started"
        self._wait_healthy(timeout_s)
        self.after_healthy()
        return action

    def down(self) -> bool:
        """Stop the server if this stack started it; True when something was stopped."""
        pid = self.pid()
        if pid is None:
            return False
        self.stop(pid)
        return True

    def pid(self) -> int | None:
        """The pid of our running server, or None: a stale or recycled pid does not count."""
        pid = self._alive_pid()
        try:
            ours = pid is not None and self.process_name.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        return pid if ours else None

    def _alive_pid(self) -> int | None:
        """The pid in the pid file if that process is alive (a zombie is not)."""
        try:
            pid = int(self.pid_file().read_text().split()[0])
            stat = Path(f"/proc/{pid}/stat").read_text()
        except (OSError, ValueError, IndexError):
            return None
        return None if stat.rsplit(")", 1)[-1].split()[0] == "Z" else pid

    def stop(self, pid: int, timeout_s: float = 20.0) -> None:
        """Stop our server: SIGTERM its process group, SIGKILL what remains after the timeout."""
        for sig in (self.stop_signal, signal.SIGKILL):
            _signal_group(pid, sig)
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline and self.pid() is not None:
                time.sleep(0.1)
            if self.pid() is None:
                return
        raise StackError(f"{self.name}: pid {pid} did not stop; see {self.log}")

    def spawn(self, argv: list[str], user: str | None = None) -> subprocess.Popen[bytes]:
        """Run a long-lived server detached from our terminal, output to the log, pid to the pid file."""
        with self.log.open("ab") as log:
            process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, user=user
            )
        self.pid_file().write_text(f"{process.pid}\n")
        return process

    def fail(self, what: str) -> StackError:
        """A one-line error naming the component, what went wrong, the log and its last line."""
        last = _last_line(self.log)
        return StackError(f"{self.name}: {what}; see {self.log}" + (f" (last line: {last})" if last else ""))

    def _wait_healthy(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not self.healthy():
            if self._alive_pid() is None:  # not pid(): a just-forked child has not exec'd its server yet
                raise self.fail("exited during start-up")
            if time.monotonic() > deadline:
                raise self.fail(f"not healthy after {timeout_s:.0f} s")
            time.sleep(0.2)

    def pid_file(self) -> Path:
        """Where the pid of our server is kept."""
        return self.dir / "pid"

    def after_healthy(self) -> None:  # noqa: B027 - an optional hook, not abstract
        """One-off set-up once the server answers (default: nothing)."""

    @abstractmethod
    def launch(self) -> None:
        """Start the server in the background."""

    @abstractmethod
    def healthy(self) -> bool:
        """Whether the server at the URL answers as it should, quickly."""


def _signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal the server's whole process group when it leads one (so helpers go too), else the pid."""
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _last_line(log: Path) -> str:
    try:
        lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1][:200] if lines else ""
