"""Reddit posts from the public search listing (`/search.json?sort=new`), newest first.

The cursor is the newest `created_utc` seen: paging stops at the first post that is not newer. It is a
time rather than a fullname because a `before=<fullname>` anchor stops working once that post is deleted.
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
from ingest.sources.clean import compact

log = logging.getLogger(__name__)
SITE_URL = "https://www.reddit.com"
PAGE_SIZE = 100  # the most a listing returns


class RedditSource:
    """Posts matching any term, at most `max_pages` listings of 100 per poll."""

    name = "reddit"

    def __init__(self, settings: Settings, client: httpx.AsyncClient, *, max_pages: int = 10) -> None:
        self._client = client
        self._retry = RetryPolicy.from_settings(settings)
        self._search_url = f"{settings.reddit_url.rstrip('/')}/search.json"
        self._max_pages = max_pages

    def pages(self, query: SourceQuery, cursor: str | None) -> AsyncIterator[Page]:
        """Pages of posts created after the cursor's `created_utc`."""
        return paged(self._batches(query, _since(cursor)), cursor, _advance)

    async def _batches(self, query: SourceQuery, since: float | None) -> AsyncIterator[Batch]:
        terms = query.quoted_terms()
        if not terms:
            return
        params: dict[str, str | int] = {
            "q": " OR ".join(terms),
            "sort": "new",
            "limit": PAGE_SIZE,
            "raw_json": 1,
        }
        for page in range(self._max_pages):
            response = require_success(await get(self._client, self._search_url, self._retry, params=params))
            try:
                posts, after = _listing(response)
            except ValueError as exc:
                yield [], [reject(self.name, f"search page {page}", str(exc))]
                return
            mentions, rejected = convert(
                self.name, posts, partial(_mention, fetched_at=datetime.now(UTC)), _name
            )
            new = [
                mention for mention in mentions if since is None or mention.published_at.timestamp() > since
            ]
            yield new, rejected
            if after is None or len(new) < len(mentions):
                return
            params["after"] = after
        log.warning("%s: over %d pages of new posts; older ones are skipped", self.name, self._max_pages)


def _listing(response: httpx.Response) -> tuple[list[Any], str | None]:
    data = json_object(response).get("data")
    children = data.get("children") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(children, list):
        raise ValueError("not a listing: no data.children list")
    after = data.get("after")
    posts = [child.get("data") if isinstance(child, dict) else child for child in children]
    return posts, after if isinstance(after, str) and after else None


def _name(post: Item) -> object:
    return post.get("name")


def _mention(post: Item, fetched_at: datetime) -> Mention:
    link = post.get("url")
    return Mention(
        source=RedditSource.name,
        external_id=post["name"],
        url=f"{SITE_URL}{post['permalink']}",
        title=post.get("title") or "",
        text=post.get("selftext") or "",
        author=None if post.get("author") == "[deleted]" else post.get("author"),
        published_at=post.get("created_utc"),
        fetched_at=fetched_at,
        meta=compact(
            subreddit=post.get("subreddit"),
            score=post.get("score"),
            num_comments=post.get("num_comments"),
            upvote_ratio=post.get("upvote_ratio"),
            over_18=post.get("over_18"),
            domain=post.get("domain"),
            link=None if post.get("is_self") else link,
        ),
    )


def _since(cursor: str | None) -> float | None:
    since = load_cursor(RedditSource.name, cursor).get("created_utc")
    return float(since) if isinstance(since, int | float) else None


def _advance(cursor: str | None, mentions: list[Mention]) -> str | None:
    if not mentions:
        return cursor
    newest = max(mention.published_at.timestamp() for mention in mentions)
    return dump_cursor({"created_utc": max(newest, _since(cursor) or 0.0)})
