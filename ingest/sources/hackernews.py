"""Hacker News stories and comments from the Algolia HN Search API, newest first.

Algolia has no OR, so each term is its own search. The cursor is the newest `created_at_i` seen; the
next poll asks only for items created after it (`numericFilters=created_at_i>N`).
"""

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx

from brandpulse.contract import Mention
from brandpulse.settings import Settings
from ingest.http import RetryPolicy, get, json_object, require_success
from ingest.sources.base import (
    Batch,
    Item,
    Page,
    SourceQuery,
    convert,
    dump_cursor,
    load_cursor,
    paged,
    reject,
)
from ingest.sources.clean import compact, plain_text

log = logging.getLogger(__name__)
ITEM_URL = "https://news.ycombinator.com/item?id="


class HackerNewsSource:
    """Stories and comments matching any term: pages of `hits_per_page`, at most `max_pages` per term."""

    name = "hackernews"

    def __init__(
        self, settings: Settings, client: httpx.AsyncClient, *, max_pages: int = 10, hits_per_page: int = 100
    ) -> None:
        self._client = client
        self._retry = RetryPolicy.from_settings(settings)
        self._search_url = f"{settings.hackernews_url.rstrip('/')}/search_by_date"
        self._max_pages = max_pages
        self._hits_per_page = hits_per_page

    def pages(self, query: SourceQuery, cursor: str | None) -> AsyncIterator[Page]:
        """Pages of items created after the cursor's `created_at_i`."""
        return paged(self._batches(query, _since(cursor)), cursor, _advance)

    async def _batches(self, query: SourceQuery, since: int | None) -> AsyncIterator[Batch]:
        for term in query.quoted_terms():
            for page in range(self._max_pages):
                params: dict[str, str | int] = {
                    "query": term,
                    "tags": "(story,comment)",
                    "hitsPerPage": self._hits_per_page,
                    "page": page,
                }
                if since is not None:
                    params["numericFilters"] = f"created_at_i>{since}"
                response = require_success(
                    await get(self._client, self._search_url, self._retry, params=params)
                )
                try:
                    hits, pages = _hits(response)
                except ValueError as exc:
                    yield [], [reject(self.name, f"search {term} page {page}", str(exc))]
                    break
                yield convert(self.name, hits, partial(_mention, fetched_at=datetime.now(UTC)), _object_id)
                if page + 1 >= pages:
                    break
            else:
                log.warning(
                    "%s: over %d pages for %s; older items are skipped", self.name, self._max_pages, term
                )


def _hits(response: httpx.Response) -> tuple[list[Any], int]:
    body = json_object(response)
    hits, pages = body.get("hits"), body.get("nbPages")
    if not isinstance(hits, list) or not isinstance(pages, int):
        raise ValueError("no 'hits' list or 'nbPages' count")
    return hits, pages


def _object_id(hit: Item) -> object:
    return hit.get("objectID")


def _mention(hit: Item, fetched_at: datetime) -> Mention:
    object_id = str(hit.get("objectID") or "")
    is_comment = "comment" in (hit.get("_tags") or ())
    return Mention(
        source=HackerNewsSource.name,
        external_id=object_id,
        url=f"{ITEM_URL}{object_id}",
        title="" if is_comment else hit.get("title") or "",
        text=plain_text(hit.get("comment_text") or hit.get("story_text") or ""),
        author=hit.get("author"),
        published_at=hit.get("created_at_i"),
        fetched_at=fetched_at,
        meta=compact(
            type="comment" if is_comment else "story",
            points=hit.get("points"),
            num_comments=hit.get("num_comments"),
            story_id=hit.get("story_id"),
            story_title=hit.get("story_title"),
            link=hit.get("url") or hit.get("story_url"),
        ),
    )


def _since(cursor: str | None) -> int | None:
    since = load_cursor(HackerNewsSource.name, cursor).get("created_at_i")
    return since if isinstance(since, int) else None


def _advance(cursor: str | None, mentions: list[Mention]) -> str | None:
    if not mentions:
        return cursor
    newest = max(int(mention.published_at.timestamp()) for mention in mentions)
    return dump_cursor({"created_at_i": max(newest, _since(cursor) or 0)})
