"""`brandpulse api serve --workers N`: a listening socket per process, connections spread over them, a port
in use refused, a lost process replaced, SIGTERM stopping them all, no orphans when the parent is killed
(real processes on a free port)."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from brandpulse.settings import Settings
from tests.ports import free_port

READY_WITHIN_S = 60.0


def serve(settings: Settings, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BRANDPULSE_POSTGRES_URL": settings.postgres_url.get_secret_value()}
    argv = [sys.executable, "-m", "brandpulse", "api", "serve", "--workers", "2", "--port", str(port)]
    with log.open("wb") as out:
        return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)


def children(parent: int) -> list[int]:
    """The live API processes `parent` started (not multiprocessing's resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == parent and fields[0] != "Z" and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def sockets(pid: int, port: int, state: str) -> set[int]:
    """Inodes of the TCP sockets that process `pid` holds on local `port` in `state` (0A: listening, 01:
    established)."""
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            held.add(int(target[8:-1]))
    on_port = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            on_port.add(int(fields[9]))
    return held & on_port


def wait_ready(base: str, workers: int, parent: int) -> list[int]:
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        pids = children(parent)
        if len(pids) == workers and all(sockets(pid, int(base.rsplit(":", 1)[1]), "0A") for pid in pids):
            try:
                if httpx.get(f"{base}/api/ready", timeout=2).status_code == 200:
                    return pids
            except httpx.TransportError:
                pass
        time.sleep(0.2)
    raise AssertionError(f"{workers} API processes were not listening within {READY_WITHIN_S:g} s")


@pytest.fixture
def api(migrated: Settings, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    port, log = free_port(), tmp_path / "api.log"
    process = serve(migrated, port, log)
    yield process, port, log
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0
    assert children(process.pid) == []


def test_each_process_listens_on_its_own_socket_and_gets_connections(
    api: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    process, port, _ = api
    pids = wait_ready(f"http://127.0.0.1:{port}", 2, process.pid)
    listening = [sockets(pid, port, "0A") for pid in pids]
    assert [len(own) for own in listening] == [1, 1]
    assert listening[0] != listening[1]  # not one socket shared
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}") for _ in range(64)]
    try:
        for client in clients:  # all open at once, as a dashboard's or a proxy's pool would be
            assert client.get("/api/ready").status_code == 200
        spread = Counter({pid: len(sockets(pid, port, "01")) for pid in pids})
    finally:
        for client in clients:
            client.close()
    assert sum(spread.values()) == 64
    assert min(spread.values()) >= 16, spread  # a shared socket gave one process 15 of 16


def test_a_port_in_use_is_refused_and_a_lost_process_replaced(
    migrated: Settings, api: tuple[subprocess.Popen[bytes], int, Path], tmp_path: Path
) -> None:
    process, port, log = api
    first = wait_ready(f"http://127.0.0.1:{port}", 2, process.pid)
    second = serve(migrated, port, tmp_path / "second.log")
    assert second.wait(60) == 3  # uvicorn's startup failure
    assert "Address already in use" in (tmp_path / "second.log").read_text()

    os.kill(first[0], signal.SIGKILL)
    now = wait_ready(f"http://127.0.0.1:{port}", 2, process.pid)
    assert first[0] not in now
    assert first[1] in now
    assert f"API process {first[0]} exited" in log.read_text()

    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 0
    assert children(process.pid) == []


def test_the_processes_stop_when_the_parent_is_killed(api: tuple[subprocess.Popen[bytes], int, Path]) -> None:
    process, port, _ = api
    pids = wait_ready(f"http://127.0.0.1:{port}", 2, process.pid)
    process.kill()  # SIGKILL: no chance to stop them itself
    process.wait()
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists()]  # no orphan keeps serving the port
