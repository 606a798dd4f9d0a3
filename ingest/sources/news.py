"""News: a Google News RSS search for the brand's terms, plus the RSS/Atom feeds the brand lists.

Each feed is one page, fetched with a conditional GET: the cursor keeps every feed's ETag and
Last-Modified, so an unchanged feed answers 304 and yields nothing. Feeds repeat entries from poll to
poll; dedupe drops those. A feed that fails or is malformed is rejected and the next one is read.
"""

import logging
import time
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import feedparser
import httpx

from brandpulse.contract import Mention
from brandpulse.settings import Settings
from ingest.http import RetryPolicy, SourceUnavailable, get, require_success
from ingest.sources.base import Item, Page, Rejected, SourceQuery, convert, dump_cursor, load_cursor, reject
from ingest.sources.clean import compact, language_tag, plain_text

log = logging.getLogger(__name__)


class NewsSource:
    """Google News search and brand feeds, read with feedparser."""

    name = "news"

    def __init__(self, settings: Settings, client: httpx.AsyncClient) -> None:
        self._client = client
        self._retry = RetryPolicy.from_settings(settings)
        self._search_url = settings.news_search_url
        self._locale = settings.news_locale

    def feed_urls(self, query: SourceQuery) -> list[str]:
        """The Google News search feed for the query's terms (when it has any), then the brand's feeds."""
        terms = query.quoted_terms()
        language, _, region = self._locale.partition("-")
        region = region.upper() or language.upper()
        search = httpx.URL(
            self._search_url,
            params={
                "q": " OR ".join(terms),
                "hl": self._locale,
                "gl": region,
                "ceid": f"{region}:{language}",
            },
        )
        return ([str(search)] if terms else []) + list(query.feeds)

    async def pages(self, query: SourceQuery, cursor: str | None) -> AsyncIterator[Page]:
        """One page per feed; its cursor holds the validators of every feed read so far."""
        urls = self.feed_urls(query)
        validators = {url: v for url, v in load_cursor(self.name, cursor).items() if url in urls}
        for url in urls:
            mentions, rejected = await self._read(url, validators)
            yield Page(mentions, rejected, dump_cursor(validators))

    async def _read(self, url: str, validators: dict[str, Any]) -> tuple[list[Mention], list[Rejected]]:
        """The entries of one feed; records its new ETag and Last-Modified in `validators`."""
        try:
            response = require_success(
                await get(self._client, url, self._retry, headers=_conditional(validators.get(url)))
            )
        except SourceUnavailable as exc:
            return [], [reject(self.name, url, str(exc))]
        if response.status_code == 304:
            return [], []
        validators[url] = compact(
            etag=response.headers.get("ETag"), modified=response.headers.get("Last-Modified")
        )
        feed = feedparser.parse(
            response.content,
            response_headers={
                "content-location": url,
                "content-type": response.headers.get("Content-Type", ""),
            },
        )
        to_mention = partial(
            _mention, feed_url=url, feed_language=feed.feed.get("language"), fetched_at=datetime.now(UTC)
        )
        mentions, rejected = convert(self.name, feed.entries, to_mention, _entry_id)
        if feed.bozo and not isinstance(feed.bozo_exception, feedparser.CharacterEncodingOverride):
            rejected.insert(0, reject(self.name, url, f"malformed feed: {feed.bozo_exception}"))
        return mentions, rejected


def _conditional(validators: object) -> dict[str, str]:
    if not isinstance(validators, Mapping):
        return {}
    headers = {"If-None-Match": validators.get("etag"), "If-Modified-Since": validators.get("modified")}
    return {name: value for name, value in headers.items() if isinstance(value, str)}


def _entry_id(entry: Item) -> str:
    return str(entry.get("id") or entry.get("link") or "").strip()


def _text(entry: Item, key: str) -> str:
    value = str(entry.get(key) or "")
    is_html = "html" in entry.get(f"{key}_detail", {}).get("type", "")
    return plain_text(value) if is_html else value.strip()


def _mention(entry: Item, feed_url: str, feed_language: object, fetched_at: datetime) -> Mention:
    # not .get(): feedparser maps a missing updated_parsed to published_parsed, with a DeprecationWarning
    updated = entry["updated_parsed"] if "updated_parsed" in entry else None  # noqa: SIM401
    published: time.struct_time | None = entry.get("published_parsed") or updated
    if published is None:
        raise ValueError("no parseable published or updated date")
    link = entry.get("link") or None
    publisher = entry.get("source", {})
    home = publisher.get("href") or link
    return Mention(
        source=NewsSource.name,
        external_id=_entry_id(entry),
        url=link,
        title=_text(entry, "title")[:1000],
        text=_text(entry, "summary")[:100_000],
        author=str(entry.get("author") or "")[:256] or None,
        lang=language_tag(entry.get("language") or feed_language),
        published_at=datetime(*published[:6], tzinfo=UTC),
        fetched_at=fetched_at,
        meta=compact(
            feed=feed_url,
            domain=urlsplit(home).hostname if home else None,
            publisher=publisher.get("title"),
            publisher_url=publisher.get("href"),
        ),
    )
