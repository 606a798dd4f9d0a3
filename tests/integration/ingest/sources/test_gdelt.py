"""The GDELT connector against DOC 2.0 ArtList payloads served on loopback."""

import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from pytest_httpserver import HTTPServer

from brandpulse.contract import mention_id
from brandpulse.settings import Settings
from ingest.sources.base import SourceQuery
from ingest.sources.gdelt import GdeltSource

DOC = "/api/v2/doc/doc"
ACME = SourceQuery(brand_id=1, terms=("acme", "Acme Corp"))


def artlist(query: str, start: str | None = None) -> dict[str, str]:
    """The query string the connector must send."""
    params = {"query": query, "mode": "ArtList", "format": "json", "maxrecords": "250", "sort": "DateDesc"}
    return params | ({"startdatetime": start} if start else {})


async def test_articles_become_mentions(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, payload: Callable[[str], str]
) -> None:
    httpserver.expect_request(DOC, query_string=artlist('(acme OR "Acme Corp")')).respond_with_data(
        payload("gdelt_artlist.json"), content_type="application/json"
    )

    source = GdeltSource(settings, client)
    [page] = [page async for page in source.pages(ACME, None)]

    reuters, le_monde = page.mentions
    url = "https://www.reuters.com/business/acme-recalls-anvils-2026-11-24/"
    assert (reuters.id, reuters.external_id, reuters.url) == (mention_id("gdelt", url), url, url)
    assert (reuters.title, reuters.text, reuters.lang) == (
        "Acme recalls 10,000 anvils after safety complaints",
        "",
        "en",
    )
    assert reuters.published_at == datetime(2026, 11, 24, 10, 15, tzinfo=UTC)
    assert reuters.meta == {"domain": "reuters.com", "language": "English", "sourcecountry": "United States"}
    assert (le_monde.lang, le_monde.meta["tone"]) == ("fr", -1.85)
    [undated] = page.rejected
    assert undated.item == "https://gazette.example/acme-history"
    assert "does not match format" in undated.reason
    assert json.loads(page.cursor or "") == {"seendate": "20261124T101500Z"}


async def test_the_next_poll_starts_after_the_newest_seendate(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient
) -> None:
    httpserver.expect_request(DOC, query_string=artlist("acme", start="20261124101501")).respond_with_json({})
    cursor = json.dumps({"seendate": "20261124T101500Z"})

    source = GdeltSource(settings, client)
    [page] = [page async for page in source.pages(SourceQuery(brand_id=1, terms=("acme",)), cursor)]

    assert (page.mentions, page.rejected, page.cursor) == ([], [], cursor)


async def test_429_with_retry_after_is_retried(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, payload: Callable[[str], str]
) -> None:
    limited = (
        "Please limit requests to one every 5 seconds or contact kalev.leetaru5@gmail.com for larger queries."
    )
    httpserver.expect_oneshot_request(DOC).respond_with_data(
        limited, status=429, headers={"Retry-After": "5"}
    )
    httpserver.expect_request(DOC).respond_with_data(
        payload("gdelt_artlist.json"), content_type="application/json"
    )

    source = GdeltSource(settings, client)
    [page] = [page async for page in source.pages(ACME, None)]

    assert len(page.mentions) == 2
    assert [response.status_code for _, response in httpserver.log] == [429, 200]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("The specified phrase is too short.", "not JSON"),
        ('{"articles": {"url": "https://x.example"}}', "not a list"),
    ],
)
async def test_a_malformed_answer_is_rejected_and_keeps_the_cursor(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, body: str, reason: str
) -> None:
    httpserver.expect_request(DOC).respond_with_data(body, content_type="text/html")
    cursor = json.dumps({"seendate": "20261124T101500Z"})

    source = GdeltSource(settings, client)
    [page] = [page async for page in source.pages(ACME, cursor)]

    [rejected] = page.rejected
    assert (page.mentions, page.cursor, rejected.item) == ([], cursor, "ArtList")
    assert reason in rejected.reason
