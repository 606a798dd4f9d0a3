"""The shared HTTP client and the retrying GET, against a local server."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from pytest_httpserver import HTTPServer

from brandpulse.settings import Settings
from ingest.http import RetryPolicy, SourceUnavailable, get, json_object, require_success
from tests.ports import free_port


class Sleeps(list[float]):
    """A fake `sleep` that records each wait instead of waiting."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def policy(sleeps: Sleeps, max_retries: int = 3, backoff_max_s: float = 10.0) -> RetryPolicy:
    return RetryPolicy(max_retries=max_retries, backoff_max_s=backoff_max_s, sleep=sleeps)


async def test_the_client_sends_the_user_agent_and_follows_redirects(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient
) -> None:
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new", headers={"User-Agent": settings.ingest_user_agent}).respond_with_data(
        "ok"
    )

    response = await get(client, httpserver.url_for("/old"), policy(Sleeps()))

    assert (response.status_code, response.text) == (200, "ok")
    assert client.timeout.read == settings.ingest_http_timeout_s


async def test_5xx_and_429_are_retried_with_capped_full_jitter(
    httpserver: HTTPServer, client: httpx.AsyncClient
) -> None:
    for status in (503, 429, 500):
        httpserver.expect_ordered_request("/flaky").respond_with_data("busy", status=status)
    httpserver.expect_ordered_request("/flaky").respond_with_data("ok")
    sleeps = Sleeps()

    response = await get(client, httpserver.url_for("/flaky"), policy(sleeps, backoff_max_s=1.5))

    assert response.text == "ok"
    assert len(sleeps) == 3
    assert all(0 <= wait <= cap for wait, cap in zip(sleeps, (0.5, 1.0, 1.5), strict=True))


async def test_retry_after_in_seconds_or_as_a_date_replaces_the_backoff_under_the_cap(
    httpserver: HTTPServer, client: httpx.AsyncClient
) -> None:
    in_20_s = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    for retry_after in ("7", in_20_s, "3600"):
        httpserver.expect_ordered_request("/limited").respond_with_data(
            "", status=429, headers={"Retry-After": retry_after}
        )
    httpserver.expect_ordered_request("/limited").respond_with_data("ok")
    sleeps = Sleeps()

    await get(client, httpserver.url_for("/limited"), policy(sleeps, backoff_max_s=60.0))

    assert sleeps[0] == 7.0
    assert 15.0 < sleeps[1] <= 20.0
    assert sleeps[2] == 60.0


async def test_exhausted_retries_raise_source_unavailable(
    httpserver: HTTPServer, client: httpx.AsyncClient
) -> None:
    httpserver.expect_request("/down").respond_with_data("down", status=502)
    sleeps = Sleeps()

    with pytest.raises(SourceUnavailable, match="HTTP 502 after 3 tries"):
        await get(client, httpserver.url_for("/down"), policy(sleeps, max_retries=2))

    assert len(httpserver.log) == 3
    assert len(sleeps) == 2


async def test_network_errors_are_retried_then_raise_source_unavailable(client: httpx.AsyncClient) -> None:
    port = free_port()
    sleeps = Sleeps()

    with pytest.raises(SourceUnavailable, match="ConnectError"):
        await get(client, f"http://127.0.0.1:{port}/", policy(sleeps, max_retries=2))

    assert len(sleeps) == 2


@pytest.mark.parametrize("url", ["feeds.example/no-scheme.rss", "http://[::1/"])
async def test_an_unusable_url_raises_source_unavailable_at_once(client: httpx.AsyncClient, url: str) -> None:
    sleeps = Sleeps()

    with pytest.raises(SourceUnavailable, match=r"UnsupportedProtocol|InvalidURL"):
        await get(client, url, policy(sleeps))

    assert sleeps == []


@pytest.mark.parametrize("status", [304, 404])
async def test_other_statuses_come_back_at_once(
    httpserver: HTTPServer, client: httpx.AsyncClient, status: int
) -> None:
    httpserver.expect_request("/page").respond_with_data("", status=status)
    sleeps = Sleeps()

    response = await get(client, httpserver.url_for("/page"), policy(sleeps))

    assert response.status_code == status
    assert (len(httpserver.log), sleeps) == (1, [])


async def test_require_success_passes_2xx_and_304_and_refuses_the_rest(
    httpserver: HTTPServer, client: httpx.AsyncClient
) -> None:
    for path, status in (("/ok", 200), ("/same", 304), ("/gone", 410)):
        httpserver.expect_request(path).respond_with_data("", status=status)

    for path in ("/ok", "/same"):
        response = await client.get(httpserver.url_for(path))
        assert require_success(response) is response
    with pytest.raises(SourceUnavailable, match="HTTP 410"):
        require_success(await client.get(httpserver.url_for("/gone")))


@pytest.mark.parametrize(
    ("body", "error"), [("<html>rate limited</html>", "not JSON"), ("[1, 2]", "not an object")]
)
async def test_json_object_says_what_is_wrong_with_a_body(
    httpserver: HTTPServer, client: httpx.AsyncClient, body: str, error: str
) -> None:
    httpserver.expect_request("/api").respond_with_data(body, content_type="application/json")

    with pytest.raises(ValueError, match=error):
        json_object(await client.get(httpserver.url_for("/api")))
