"""How a stack component reads its URL: local or external, and never showing a password."""

from pathlib import Path

import pytest

from brandpulse.stack.postgres_server import PostgresServer
from brandpulse.stack.redis_server import RedisServer


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("redis://127.0.0.1:16379/0", True),
        ("redis://localhost:16379/0", True),
        ("redis://[::1]:16379/0", True),
        ("redis://redis:6379/0", False),
        ("rediss://cache.example.com:6380/0", False),
    ],
)
def test_a_component_is_local_only_on_loopback(url: str, local: bool) -> None:
    assert RedisServer(url, Path(".stack")).is_local is local


def test_public_url_masks_the_password() -> None:
    server = PostgresServer("postgresql+asyncpg://owner:p%40ss@127.0.0.1:15432/db", Path(".stack"))
    assert server.public_url() == "postgresql+asyncpg://owner:***@127.0.0.1:15432/db"
    assert (server.user, server.password, server.database) == ("owner", "p@ss", "db")


def test_postgres_defaults_role_and_database() -> None:
    server = PostgresServer("postgresql://127.0.0.1:15432", Path(".stack"))
    assert (server.user, server.password, server.database) == ("postgres", "", "postgres")
