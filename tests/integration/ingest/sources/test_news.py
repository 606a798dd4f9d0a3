"""The news connector against Google News RSS and brand feeds served on loopback."""

import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from pytest_httpserver import HTTPServer

from brandpulse.contract import mention_id
from brandpulse.settings import Settings
from ingest.sources.base import SourceQuery
from ingest.sources.news import NewsSource

SEARCH = "/rss/search"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml"
GOOGLE = {"q": '"Acme Corp" OR acme', "hl": "en-US", "gl": "US", "ceid": "US:en"}


async def test_search_and_brand_feeds_become_mentions(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, payload: Callable[[str], str]
) -> None:
    httpserver.expect_request(SEARCH, query_string=GOOGLE).respond_with_data(
        payload("news_search.xml"), content_type=RSS
    )
    httpserver.expect_request("/newsroom.atom").respond_with_data(
        payload("news_brand.atom"), content_type=ATOM
    )
    feed_url = httpserver.url_for("/newsroom.atom")
    query = SourceQuery(brand_id=1, terms=("Acme Corp", "acme"), feeds=(feed_url,))

    source = NewsSource(settings, client)
    search, brand = [page async for page in source.pages(query, None)]

    verge, reuters = search.mentions
    assert verge.id == mention_id("news", "CBMiWkFVX3lxTE1hY21lLXJvY2tldC1za2F0ZXM")
    assert verge.url == "https://news.google.com/rss/articles/CBMiWkFVX3lxTE1hY21lLXJvY2tldC1za2F0ZXM?oc=5"
    assert verge.title == "Acme Corp unveils rocket skates - The Verge"
    assert verge.text == "Acme Corp unveils rocket skates The Verge"
    assert (verge.lang, verge.brand_ids) == ("en-US", ())
    assert verge.published_at == datetime(2026, 11, 24, 10, 15, tzinfo=UTC)
    assert verge.meta == {
        "feed": source.feed_urls(query)[0],
        "domain": "www.theverge.com",
        "publisher": "The Verge",
        "publisher_url": "https://www.theverge.com",
    }
    assert reuters.title == "Acme recalls 10,000 anvils & catapults - Reuters"
    [undated] = search.rejected
    assert undated.item == "CBMiYUFVX3lxTE1hY21lLWhpc3Rvcnk"
    assert "date" in undated.reason
    [release] = brand.mentions
    assert release.external_id == "tag:acme.example,2026:newsroom/q3-results"
    assert (release.title, release.author, release.lang) == (
        "Acme announces Q3 results",
        "Acme Press Office",
        "en",
    )
    assert release.text == "Revenue rose 12% on strong demand for rocket skates."
    assert release.published_at == datetime(2026, 11, 24, 8, 30, tzinfo=UTC)


async def test_an_unchanged_feed_answers_304_and_keeps_the_cursor(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, payload: Callable[[str], str]
) -> None:
    validators = {"ETag": '"v1"', "Last-Modified": "Mon, 24 Nov 2026 10:20:00 GMT"}
    conditional = {"If-None-Match": '"v1"', "If-Modified-Since": "Mon, 24 Nov 2026 10:20:00 GMT"}
    httpserver.expect_request("/feed.rss", headers=conditional).respond_with_data("", status=304)
    httpserver.expect_request("/feed.rss").respond_with_data(
        payload("news_broken.rss"), content_type=RSS, headers=validators
    )
    query = SourceQuery(brand_id=1, terms=(), feeds=(httpserver.url_for("/feed.rss"),))
    source = NewsSource(settings, client)

    [first] = [page async for page in source.pages(query, None)]
    [second] = [page async for page in source.pages(query, first.cursor)]

    assert json.loads(first.cursor or "") == {
        httpserver.url_for("/feed.rss"): {"etag": '"v1"', "modified": "Mon, 24 Nov 2026 10:20:00 GMT"}
    }
    assert first.mentions
    assert (second.mentions, second.rejected, second.cursor) == ([], [], first.cursor)
    assert [response.status_code for _, response in httpserver.log] == [200, 304]


async def test_429_with_retry_after_is_retried(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, payload: Callable[[str], str]
) -> None:
    httpserver.expect_oneshot_request(SEARCH).respond_with_data("", status=429, headers={"Retry-After": "10"})
    httpserver.expect_request(SEARCH).respond_with_data(payload("news_search.xml"), content_type=RSS)

    source = NewsSource(settings, client)
    [page] = [page async for page in source.pages(SourceQuery(brand_id=1, terms=("acme",)), None)]

    assert len(page.mentions) == 2
    assert [response.status_code for _, response in httpserver.log] == [429, 200]


async def test_broken_and_failing_feeds_are_rejected_and_the_rest_still_read(
    httpserver: HTTPServer, settings: Settings, client: httpx.AsyncClient, payload: Callable[[str], str]
) -> None:
    httpserver.expect_request("/gone.rss").respond_with_data("Not Found", status=404)
    httpserver.expect_request("/broken.rss").respond_with_data(payload("news_broken.rss"), content_type=RSS)
    gone, broken = httpserver.url_for("/gone.rss"), httpserver.url_for("/broken.rss")
    query = SourceQuery(brand_id=1, terms=(), feeds=("feeds.example/no-scheme.rss", gone, broken))

    source = NewsSource(settings, client)
    unusable, missing, truncated = [page async for page in source.pages(query, None)]

    [bad_url] = unusable.rejected
    assert (bad_url.item, "UnsupportedProtocol" in bad_url.reason) == ("feeds.example/no-scheme.rss", True)
    [refused] = missing.rejected
    assert (refused.item, "HTTP 404" in refused.reason) == (gone, True)
    [post] = truncated.mentions
    assert (post.external_id, post.text) == (
        "https://blog.example/beep-beep",
        "Every Acme product I have seen has backfired.",
    )
    feed_error, cut_entry = truncated.rejected
    assert (feed_error.item, feed_error.reason.startswith("malformed feed")) == (broken, True)
    assert (cut_entry.item, cut_entry.reason) == ("item #1", "no parseable published or updated date")
