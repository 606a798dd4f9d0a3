"""News articles worldwide from the GDELT DOC 2.0 API (`mode=ArtList`), newest first, one request a poll.

The cursor is the newest `seendate` seen; the next poll starts one second after it. GDELT stamps every
article of a 15-minute update with that update's time, so an update is never split across polls.
"""

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx

from brandpulse.contract import Mention
from brandpulse.settings import Settings
from ingest.http import RetryPolicy, get, json_object, require_success
from ingest.sources.base import Item, Page, SourceQuery, convert, dump_cursor, load_cursor, reject
from ingest.sources.clean import compact

log = logging.getLogger(__name__)
SEENDATE = "%Y%m%dT%H%M%SZ"  # how GDELT writes `seendate`: 20261124T101500Z
LANGUAGES = {  # GDELT names an article's language; Mention.lang wants its ISO 639-1 code
    "Arabic": "ar",
    "Chinese": "zh",
    "Czech": "cs",
    "Danish": "da",
    "Dutch": "nl",
    "English": "en",
    "Finnish": "fi",
    "French": "fr",
    "German": "de",
    "Greek": "el",
    "Hebrew": "he",
    "Hindi": "hi",
    "Hungarian": "hu",
    "Indonesian": "id",
    "Italian": "it",
    "Japanese": "ja",
    "Korean": "ko",
    "Norwegian": "no",
    "Polish": "pl",
    "Portuguese": "pt",
    "Romanian": "ro",
    "Russian": "ru",
    "Spanish": "es",
    "Swedish": "sv",
    "Thai": "th",
    "Turkish": "tr",
    "Ukrainian": "uk",
    "Vietnamese": "vi",
}


class GdeltSource:
    """Articles matching any term: the newest `max_records` (GDELT's limit is 250) seen since the cursor."""

    name = "gdelt"

    def __init__(self, settings: Settings, client: httpx.AsyncClient, *, max_records: int = 250) -> None:
        self._client = client
        self._retry = RetryPolicy.from_settings(settings)
        self._url = settings.gdelt_url
        self._max_records = max_records

    async def pages(self, query: SourceQuery, cursor: str | None) -> AsyncIterator[Page]:
        """One page of articles seen after the cursor's `seendate`."""
        terms = query.quoted_terms()
        if not terms:
            return
        params = self._params(terms, _since(cursor))
        response = require_success(await get(self._client, self._url, self._retry, params=params))
        try:
            articles = _articles(response)
        except ValueError as exc:
            yield Page([], [reject(self.name, "ArtList", str(exc))], cursor)
            return
        if len(articles) >= self._max_records:
            log.warning("%s: %d new articles or more; older ones are skipped", self.name, self._max_records)
        fetched_at = datetime.now(UTC)
        mentions, rejected = convert(self.name, articles, partial(_mention, fetched_at=fetched_at), _url)
        yield Page(mentions, rejected, _advance(cursor, mentions))

    def _params(self, terms: list[str], since: datetime | None) -> dict[str, str | int]:
        params: dict[str, str | int] = {
            # OR'd terms go in parentheses; GDELT refuses parentheses around a single term
            "query": f"({' OR '.join(terms)})" if len(terms) > 1 else terms[0],
            "mode": "ArtList",
            "format": "json",
            "maxrecords": self._max_records,
            "sort": "DateDesc",
        }
        if since is not None:
            params["startdatetime"] = (since + timedelta(seconds=1)).strftime("%Y%m%d%H%M%S")
        return params


def _articles(response: httpx.Response) -> list[Any]:
    articles = json_object(response).get("articles", [])  # GDELT answers {} when nothing matches
    if not isinstance(articles, list):
        raise ValueError("'articles' is not a list")
    return articles


def _since(cursor: str | None) -> datetime | None:
    seendate = load_cursor(GdeltSource.name, cursor).get("seendate")
    try:
        return _seen_at(seendate)
    except ValueError:
        return None


def _seen_at(seendate: object) -> datetime:
    if not isinstance(seendate, str):
        raise ValueError(f"seendate {seendate!r} is not a date")
    return datetime.strptime(seendate, SEENDATE).replace(tzinfo=UTC)


def _url(article: Item) -> object:
    return article.get("url")


def _mention(article: Item, fetched_at: datetime) -> Mention:
    language = article.get("language")
    return Mention(
        source=GdeltSource.name,
        external_id=article.get("url"),
        url=article.get("url"),
        title=article.get("title") or "",
        lang=LANGUAGES.get(language) if isinstance(language, str) else None,
        published_at=_seen_at(article.get("seendate")),
        fetched_at=fetched_at,
        meta=compact(
            domain=article.get("domain"),
            language=language,
            sourcecountry=article.get("sourcecountry"),
            tone=article.get("tone"),
        ),
    )


def _advance(cursor: str | None, mentions: list[Mention]) -> str | None:
    if not mentions:
        return cursor
    newest = max(mention.published_at for mention in mentions)
    since = _since(cursor)
    return dump_cursor({"seendate": max(newest, since or newest).strftime(SEENDATE)})
