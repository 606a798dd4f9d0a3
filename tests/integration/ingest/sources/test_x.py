"""The X connector against API v2 recent-search payloads served on loopback."""

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pytest_httpserver import HTTPServer

from brandpulse.contract import mention_id
from brandpulse.settings import Settings
from ingest.sources import network_sources
from ingest.sources.base import SourceQuery
from ingest.sources.x import SNOWFLAKE_EPOCH_MS, XSource

SEARCH = "/2/tweets/search/recent"
AUTH = {"Authorization": "Bearer test-token"}
ACME = SourceQuery(brand_id=1, terms=("acme",))
NEXT = "b26v89c19zqg8o3fosbz3d5a6mq2n3v1cp3ob25fl6yl"


def post_id(posted_at: datetime) -> str:
    """The id X would give a post made at `posted_at` (a snowflake)."""
    return str(int(posted_at.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS << 22)


def search(since_id: str | None = None, next_token: str | None = None) -> dict[str, str]:
    """The query string the connector must send."""
    params = {
        "query": "acme",
        "max_results": "100",
        "tweet.fields": "created_at,author_id,lang,public_metrics",
        "expansions": "author_id",
        "user.fields": "username",
    }
    return params | {k: v for k, v in (("since_id", since_id), ("next_token", next_token)) if v}


async def test_posts_become_mentions_page_by_page_with_the_bearer_token(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, payload: Callable[[str], str]
) -> None:
    httpserver.expect_request(SEARCH, query_string=search(), headers=AUTH).respond_with_data(
        payload("x_page1.json"), content_type="application/json"
    )
    httpserver.expect_request(SEARCH, query_string=search(next_token=NEXT), headers=AUTH).respond_with_data(
        payload("x_page2.json"), content_type="application/json"
    )

    source = XSource(settings, client)
    first, last = [page async for page in source.pages(ACME, None)]

    post, anonymous = first.mentions
    assert post.id == mention_id("x", "2125171315307446582")
    assert post.url == "https://x.com/wile_e/status/2125171315307446582"
    assert (post.text, post.author, post.lang) == ("Just got my Acme rocket skates 🚀 #acme", "wile_e", "en")
    assert post.published_at == datetime(2026, 11, 24, 10, 15, tzinfo=UTC)
    assert post.meta["author_id"] == "2244994945"
    assert post.meta["public_metrics"]["like_count"] == 25
    assert (anonymous.url, anonymous.author, anonymous.lang) == (
        "https://x.com/i/web/status/2125168798725046472",
        None,
        None,
    )
    [undated] = first.rejected
    assert undated.item == "2125167540433846372"
    assert "published_at" in undated.reason
    assert [(m.text, m.lang) for m in last.mentions] == [("Los patines de Acme son increíbles", "es")]
    assert [(r.item, r.reason) for r in last.rejected] == [("item #1", "missing field 'id'")]
    assert first.cursor is None
    assert json.loads(last.cursor or "") == {"since_id": "2125171315307446582"}


async def test_the_next_poll_sends_since_id_and_keeps_it_when_nothing_is_new(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, payload: Callable[[str], str]
) -> None:
    since_id = post_id(datetime.now(UTC) - timedelta(hours=1))
    httpserver.expect_request(SEARCH, query_string=search(since_id=since_id)).respond_with_data(
        payload("x_empty.json"), content_type="application/json"
    )
    cursor = json.dumps({"since_id": since_id})

    source = XSource(settings, client)
    [page] = [page async for page in source.pages(ACME, cursor)]

    assert (page.mentions, page.rejected, page.cursor) == ([], [], cursor)


async def test_a_since_id_recent_search_would_refuse_is_not_sent(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, payload: Callable[[str], str]
) -> None:
    httpserver.expect_request(SEARCH, query_string=search()).respond_with_data(
        payload("x_page2.json"), content_type="application/json"
    )
    cursor = json.dumps({"since_id": post_id(datetime.now(UTC) - timedelta(days=8))})

    source = XSource(settings, client)
    [page] = [page async for page in source.pages(ACME, cursor)]

    assert [m.external_id for m in page.mentions] == ["2125152440939446322"]


async def test_a_spent_rate_limit_window_ends_the_poll_instead_of_waiting(
    httpserver: HTTPServer,
    settings: Settings,
    client: httpx.AsyncClient,
    payload: Callable[[str], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    spent = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0", "x-rate-limit-reset": "1795516200"}
    httpserver.expect_request(SEARCH, query_string=search()).respond_with_data(
        payload("x_page1.json"), content_type="application/json", headers=spent
    )

    source = XSource(settings, client)
    [page] = [page async for page in source.pages(ACME, None)]

    assert len(page.mentions) == 2
    assert len(httpserver.log) == 1  # the page had a next_token, but no request was left in the window
    assert json.loads(page.cursor or "") == {"since_id": "2125171315307446582"}
    assert "window resets at 2026-11-24T10:30:00+00:00" in caplog.text


async def test_a_429_for_a_spent_window_is_not_retried(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    spent = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": "1795516200"}
    httpserver.expect_request(SEARCH).respond_with_json(
        {"title": "Too Many Requests"}, status=429, headers=spent
    )

    source = XSource(settings, client)
    pages = [page async for page in source.pages(ACME, None)]

    assert pages == []
    assert len(httpserver.log) == 1
    assert "rate limit spent" in caplog.text


async def test_429_with_retry_after_is_retried(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, payload: Callable[[str], str]
) -> None:
    httpserver.expect_oneshot_request(SEARCH).respond_with_data("", status=429, headers={"Retry-After": "2"})
    httpserver.expect_request(SEARCH).respond_with_data(
        payload("x_page2.json"), content_type="application/json"
    )

    source = XSource(settings, client)
    [page] = [page async for page in source.pages(ACME, None)]

    assert [m.external_id for m in page.mentions] == ["2125152440939446322"]
    assert [response.status_code for _, response in httpserver.log] == [429, 200]


async def test_a_malformed_payload_is_rejected(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient
) -> None:
    httpserver.expect_request(SEARCH).respond_with_data(
        '{"data": [{"id": "1"', content_type="application/json"
    )

    source = XSource(settings, client)
    [page] = [page async for page in source.pages(ACME, None)]

    [rejected] = page.rejected
    assert (page.mentions, rejected.item) == ([], "search page 0")
    assert "not JSON" in rejected.reason


async def test_without_a_token_it_is_disabled_with_one_log_line(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    without_token = settings.model_copy(update={"x_bearer_token": None})
    caplog.set_level(logging.INFO, logger="ingest.sources.x")

    source = XSource(without_token, client)
    pages = [page async for page in source.pages(ACME, None)]

    assert (source.enabled, pages, httpserver.log) == (False, [], [])
    [line] = caplog.messages
    assert line == "x: disabled: no API bearer token (set BRANDPULSE_X_BEARER_TOKEN)"
    assert "x" not in {source.name for source in network_sources(without_token, client)}
    assert "x" in {source.name for source in network_sources(settings, client)}
