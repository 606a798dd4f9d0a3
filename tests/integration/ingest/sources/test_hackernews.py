"""The Hacker News connector against Algolia HN Search payloads served on loopback."""

import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from pytest_httpserver import HTTPServer

from brandpulse.contract import mention_id
from brandpulse.settings import Settings
from ingest.sources.base import SourceQuery
from ingest.sources.hackernews import HackerNewsSource

SEARCH = "/api/v1/search_by_date"
ACME = SourceQuery(brand_id=1, terms=("acme",))


def search(term: str, page: int, since: int | None = None) -> dict[str, str]:
    """The query string the connector must send."""
    params = {"query": term, "tags": "(story,comment)", "hitsPerPage": "100", "page": str(page)}
    return params | ({"numericFilters": f"created_at_i>{since}"} if since is not None else {})


async def test_stories_and_comments_become_mentions_and_pages_run_to_the_last(
    httpserver: HTTPServer,
    settings: Settings,
    client: httpx.AsyncClient,
    payload: Callable[[str], str],
) -> None:
    httpserver.expect_request(SEARCH, query_string=search("acme", 0)).respond_with_data(
        payload("hackernews_page0.json"), content_type="application/json"
    )
    httpserver.expect_request(SEARCH, query_string=search("acme", 1)).respond_with_data(
        payload("hackernews_page1.json"), content_type="application/json"
    )

    source = HackerNewsSource(settings, client)
    first, last = [page async for page in source.pages(ACME, None)]

    comment, story = first.mentions
    assert comment.id == mention_id("hackernews", "42100007")
    assert comment.url == "https://news.ycombinator.com/item?id=42100007"
    assert comment.title == ""
    assert comment.text == "I bought the Acme rocket skates. They're fast & loud. Would buy again."
    assert comment.author == "wcoyote"
    assert comment.published_at == datetime(2026, 11, 24, 10, 15, tzinfo=UTC)
    assert comment.brand_ids == ()
    assert comment.meta == {
        "type": "comment",
        "story_id": 42100001,
        "story_title": "Show HN: Acme launches rocket skates",
        "link": "https://acme.example/skates",
    }
    assert (story.title, story.text) == ("Show HN: Acme launches rocket skates", "")
    assert story.meta == {
        "type": "story",
        "points": 57,
        "num_comments": 1,
        "story_id": 42100001,
        "link": "https://acme.example/skates",
    }
    [missing_date] = first.rejected
    assert missing_date.item == "42100003"
    assert "published_at" in missing_date.reason
    [ask] = last.mentions
    assert ask.text == "Has anyone used Acme anvils in production?"
    assert first.cursor is None  # the poll is only done after its last page
    assert last.cursor is not None
    assert json.loads(last.cursor) == {"created_at_i": 1795515300}


async def test_the_next_poll_asks_each_term_only_for_newer_items(
    httpserver: HTTPServer,
    settings: Settings,
    client: httpx.AsyncClient,
    payload: Callable[[str], str],
) -> None:
    since = 1795515300
    httpserver.expect_request(SEARCH, query_string=search("acme", 0, since)).respond_with_data(
        payload("hackernews_empty.json"), content_type="application/json"
    )
    httpserver.expect_request(SEARCH, query_string=search('"Road Runner"', 0, since)).respond_with_data(
        payload("hackernews_newer.json"), content_type="application/json"
    )
    query = SourceQuery(brand_id=1, terms=("acme", "Road  Runner"))

    source = HackerNewsSource(settings, client)
    pages = [page async for page in source.pages(query, json.dumps({"created_at_i": since}))]

    assert [m.external_id for page in pages for m in page.mentions] == ["42100100"]
    assert json.loads(pages[-1].cursor or "") == {"created_at_i": 1795518000}


async def test_max_pages_bounds_a_poll(
    httpserver: HTTPServer,
    settings: Settings,
    client: httpx.AsyncClient,
    payload: Callable[[str], str],
) -> None:
    httpserver.expect_request(SEARCH, query_string=search("acme", 0)).respond_with_data(
        payload("hackernews_page0.json"), content_type="application/json"
    )

    source = HackerNewsSource(settings, client, max_pages=1)
    [page] = [page async for page in source.pages(ACME, None)]

    assert len(page.mentions) == 2
    assert json.loads(page.cursor or "") == {"created_at_i": 1795515300}


async def test_429_with_retry_after_is_retried(
    httpserver: HTTPServer,
    settings: Settings,
    client: httpx.AsyncClient,
    payload: Callable[[str], str],
) -> None:
    httpserver.expect_oneshot_request(SEARCH).respond_with_data("", status=429, headers={"Retry-After": "30"})
    httpserver.expect_request(SEARCH).respond_with_data(
        payload("hackernews_newer.json"), content_type="application/json"
    )

    source = HackerNewsSource(settings, client)
    [page] = [page async for page in source.pages(ACME, None)]

    assert [m.external_id for m in page.mentions] == ["42100100"]
    assert [response.status_code for _, response in httpserver.log] == [429, 200]


async def test_a_malformed_page_is_rejected_and_the_next_term_still_searched(
    httpserver: HTTPServer,
    settings: Settings,
    client: httpx.AsyncClient,
    payload: Callable[[str], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    httpserver.expect_request(SEARCH, query_string=search("acme", 0)).respond_with_data(
        '{"hits": [', content_type="application/json"
    )
    httpserver.expect_request(SEARCH, query_string=search("wile", 0)).respond_with_data(
        payload("hackernews_newer.json"), content_type="application/json"
    )

    source = HackerNewsSource(settings, client)
    pages = [page async for page in source.pages(SourceQuery(1, ("acme", "wile")), None)]

    [broken] = pages[0].rejected
    assert broken.item == "search acme page 0"
    assert "not JSON" in broken.reason
    assert [m.external_id for m in pages[1].mentions] == ["42100100"]
    assert "hackernews: skipped search acme page 0" in caplog.text
