"""The local stack's life cycle, on a private folder and private ports so the shared stack is untouched."""

import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from brandpulse import stack
from brandpulse.settings import Settings
from tests.ports import free_port


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def pid_alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def private(unique: str) -> Iterator[Settings]:
    """Settings for a throw-away stack; whatever it started is stopped and deleted afterwards.

    Its folder sits in the shared stack's folder: PostgreSQL's user must be able to reach it.
    """
    settings = Settings(
        stack_dir=Settings().stack_dir / "tests" / unique,
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
        postgres_url=f"postgresql+asyncpg://owner:s3cret@127.0.0.1:{free_port()}/private",
        elasticsearch_url=f"http://127.0.0.1:{free_port()}",
    )
    yield settings
    stack.down(settings)
    shutil.rmtree(settings.stack_dir, ignore_errors=True)


def cli_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "BRANDPULSE_STACK_DIR": str(settings.stack_dir),
        "BRANDPULSE_REDIS_URL": settings.redis_url,
        "BRANDPULSE_POSTGRES_URL": settings.postgres_url.get_secret_value(),
        "BRANDPULSE_ELASTICSEARCH_URL": settings.elasticsearch_url,
    }


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "brandpulse", *args],
        env=cli_env(settings),
        capture_output=True,
        text=True,
        check=False,
    )


def test_up_is_idempotent_and_down_leaves_nothing_behind(private: Settings) -> None:
    first = stack.up(private)
    assert [(item.name, item.action, item.state) for item in first] == [
        ("redis", "started", "running"),
        ("postgres", "started", "running"),
        ("elasticsearch", "started", "running"),
    ]
    again = stack.up(private)
    assert {item.action for item in again} == {"already running"}
    assert [item.pid for item in again] == [item.pid for item in first]
    ports = [part.port for part in stack.components(private)]

    assert stack.down(private) == ["elasticsearch", "postgres", "redis"]

    assert not [item.pid for item in first if item.pid and pid_alive(item.pid)]
    assert not [port for port in ports if port_open(port)]
    assert {item.state for item in stack.status(private)} == {"stopped"}


def psql_as_owner(port: int, password: str) -> subprocess.CompletedProcess[str]:
    argv = ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "owner", "-d", "private", "-tAc", "SELECT 1"]
    env = {**os.environ, "PGPASSWORD": password}
    return subprocess.run(argv, env=env, capture_output=True, text=True, check=False)


def test_the_url_names_the_postgres_role_password_and_database(private: Settings) -> None:
    stack.up(private)
    port = next(part.port for part in stack.components(private) if part.name == "postgres")
    wrong = psql_as_owner(port, "wrong")
    assert psql_as_owner(port, "s3cret").stdout.strip() == "1"
    assert wrong.returncode != 0
    assert "password authentication failed" in wrong.stderr


def test_a_component_that_cannot_start_exits_non_zero_naming_its_log(private: Settings) -> None:
    with socket.socket() as squatter:  # something that is not Redis holds the port
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        broken = private.model_copy(update={"redis_url": f"redis://127.0.0.1:{port}/0"})
        result = cli(broken, "stack", "up")

    lines = result.stdout.strip().splitlines()
    log = broken.stack_dir.absolute() / "redis" / "redis.log"
    assert result.returncode == 1
    assert len(lines) == 1
    assert lines[0].startswith("stack up failed: redis: exited during start-up; see")
    assert str(log) in lines[0]


def test_external_components_are_left_alone(private: Settings) -> None:
    external = private.model_copy(
        update={
            "redis_url": "redis://cache.internal:6379/0",
            "elasticsearch_url": "https://search.internal:9200",
        }
    )
    result = cli(external, "stack", "status")
    rows = {line.split()[1]: line for line in result.stdout.splitlines() if "internal" in line}
    assert result.returncode == 0
    assert set(rows) == {"redis", "elasticsearch"}
    assert all("external" in row for row in rows.values())


def test_demo_runs_until_ctrl_c_then_stops_what_it_started(private: Settings) -> None:
    demo = subprocess.Popen(
        [sys.executable, "-m", "brandpulse", "demo"],
        env=cli_env(private),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert demo.stdout is not None
    lines = []
    for line in demo.stdout:
        lines.append(line)
        if "Press Ctrl-C" in line:
            break
    assert {item.state for item in stack.status(private)} == {"running"}

    demo.send_signal(signal.SIGINT)
    rest, _ = demo.communicate(timeout=60)

    assert demo.returncode == 0
    assert "database migrated" in "".join(lines)
    assert "stopped: elasticsearch, postgres, redis" in rest
    assert {item.state for item in stack.status(private)} == {"stopped"}


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands PostgreSQL to the postgres user")
def test_a_stack_dir_postgres_cannot_reach_is_named(private: Settings, tmp_path: Path) -> None:
    tmp_path.chmod(0o700)  # root's own folder: the postgres user cannot enter it
    unreachable = private.model_copy(
        update={"stack_dir": tmp_path / "stack", "redis_url": "redis://cache.internal:1/0"}
    )
    with pytest.raises(
        stack.StackError, match=r"^postgres: user 'postgres' cannot reach .*choose a stack_dir"
    ):
        stack.up(unreachable)
