"""Connector fixtures: every source URL points at a local HTTP server on loopback, so no test leaves it."""

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer

from brandpulse.settings import Settings
from ingest.http import http_client

PAYLOADS = Path(__file__).parent / "payloads"


@pytest.fixture
def payload() -> Callable[[str], str]:
    """Reads a response body from `payloads/`, written by hand in the shape its API documents."""
    return lambda name: (PAYLOADS / name).read_text()


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """The test server listens on IPv4 loopback, on a free port."""
    return "127.0.0.1", 0


@pytest.fixture
def settings(httpserver: HTTPServer) -> Iterator[Settings]:
    """Settings with every source on the test server and back-off capped at 10 ms (no stack needed)."""
    base = httpserver.url_for("/").rstrip("/")
    yield Settings(
        _env_file=None,
        news_search_url=f"{base}/rss/search",
        hackernews_url=f"{base}/api/v1",
        reddit_url=base,
        x_api_url=f"{base}/2",
        x_bearer_token=SecretStr("test-token"),
        gdelt_url=f"{base}/api/v2/doc/doc",
        ingest_http_max_retries=2,
        ingest_http_backoff_max_s=0.01,
    )
    httpserver.check_assertions()  # fails the test if a request matched no handler


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The shared ingest HTTP client, closed after the test."""
    async with http_client(settings) as client:
        yield client
