"""The Reddit connector against search listings served on loopback."""

import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from pytest_httpserver import HTTPServer

from brandpulse.contract import mention_id
from brandpulse.settings import Settings
from ingest.sources.base import SourceQuery
from ingest.sources.reddit import RedditSource

SEARCH = "/search.json"
ACME = SourceQuery(brand_id=1, terms=("acme", "Acme Corp"))
Q = 'acme OR "Acme Corp"'


def search(after: str | None = None) -> dict[str, str]:
    """The query string the connector must send."""
    params = {"q": Q, "sort": "new", "limit": "100", "raw_json": "1"}
    return params | ({"after": after} if after else {})


async def test_posts_become_mentions_page_by_page_with_the_user_agent(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, payload: Callable[[str], str]
) -> None:
    agent = {"User-Agent": settings.ingest_user_agent}
    httpserver.expect_request(SEARCH, query_string=search(), headers=agent).respond_with_data(
        payload("reddit_page1.json"), content_type="application/json"
    )
    httpserver.expect_request(SEARCH, query_string=search("t3_1p5x0c2"), headers=agent).respond_with_data(
        payload("reddit_page2.json"), content_type="application/json"
    )

    source = RedditSource(settings, client)
    first, last = [page async for page in source.pages(ACME, None)]

    link, own = first.mentions
    assert link.id == mention_id("reddit", "t3_1p5x0a1")
    assert (
        link.url
        == "https://www.reddit.com/r/technology/comments/1p5x0a1/acme_launches_rocket_skates_a_catapult/"
    )
    assert (link.title, link.text, link.author) == ("Acme launches rocket skates & a catapult", "", "wile_e")
    assert link.published_at == datetime(2026, 11, 24, 10, 15, tzinfo=UTC)
    assert link.meta == {
        "subreddit": "technology",
        "score": 1234,
        "num_comments": 87,
        "upvote_ratio": 0.94,
        "over_18": False,
        "domain": "acme.example",
        "link": "https://acme.example/skates",
    }
    assert (own.text, own.author, "link" in own.meta) == ("My Acme anvil has lasted 20 years.", None, False)
    undated, empty = first.rejected
    assert undated.item == "t3_1p5x0c2"
    assert "published_at" in undated.reason
    assert (empty.item, empty.reason) == ("item #3", "not an object: None")
    assert [m.external_id for m in last.mentions] == ["t3_1p5w9z9"]
    assert first.cursor is None
    assert json.loads(last.cursor or "") == {"created_utc": 1795515300.0}


async def test_the_next_poll_stops_at_the_first_post_it_has_seen(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, payload: Callable[[str], str]
) -> None:
    httpserver.expect_request(SEARCH, query_string=search()).respond_with_data(
        payload("reddit_newer.json"), content_type="application/json"
    )
    cursor = json.dumps({"created_utc": 1795515300.0})

    source = RedditSource(settings, client)
    [page] = [page async for page in source.pages(ACME, cursor)]

    assert [m.external_id for m in page.mentions] == ["t3_1p5x1d4"]
    assert len(httpserver.log) == 1  # `after` was set, but the listing reached what the last poll saw
    assert json.loads(page.cursor or "") == {"created_utc": 1795518000.0}


async def test_429_with_retry_after_is_retried(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, payload: Callable[[str], str]
) -> None:
    httpserver.expect_oneshot_request(SEARCH).respond_with_data("", status=429, headers={"Retry-After": "5"})
    httpserver.expect_request(SEARCH).respond_with_data(
        payload("reddit_page2.json"), content_type="application/json"
    )

    source = RedditSource(settings, client)
    [page] = [page async for page in source.pages(ACME, None)]

    assert [m.external_id for m in page.mentions] == ["t3_1p5w9z9"]
    assert [response.status_code for _, response in httpserver.log] == [429, 200]


@pytest.mark.parametrize(
    ("body", "reason"),
    [("<html><body>Too many requests</body></html>", "not JSON"), ('{"kind": "Listing"}', "not a listing")],
)
async def test_a_malformed_listing_is_rejected_and_ends_the_poll(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, body: str, reason: str
) -> None:
    httpserver.expect_request(SEARCH).respond_with_data(body)

    source = RedditSource(settings, client)
    [page] = [page async for page in source.pages(ACME, "{}")]

    assert page.mentions == []
    [rejected] = page.rejected
    assert (rejected.item, reason in rejected.reason) == ("search page 0", True)
    assert page.cursor == "{}"
