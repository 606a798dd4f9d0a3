"""Posts on X from the API v2 recent search (the last 7 days), newest first; needs a bearer token.

The cursor is the newest post id seen, sent as `since_id` while recent search still accepts it (it refuses
ids over 7 days old, so a quiet brand would fail every poll). When the rate-limit window is spent
(`x-rate-limit-remaining: 0`), the poll stops and logs when the window resets instead of waiting for it.
"""

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx

from brandpulse.contract import Mention
from brandpulse.settings import Settings
from ingest.http import RetryPolicy, get, is_retryable, json_object, require_success
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
from ingest.sources.clean import compact, language_tag

log = logging.getLogger(__name__)
SITE_URL = "https://x.com"
SNOWFLAKE_EPOCH_MS = 1288834974657  # a post id holds its creation time: ms since this epoch, above bit 22
SINCE_ID_MAX_AGE = timedelta(days=7) - timedelta(minutes=10)
FIELDS: dict[str, str | int] = {
    "max_results": 100,
    "tweet.fields": "created_at,author_id,lang,public_metrics",
    "expansions": "author_id",
    "user.fields": "username",
}


class XSource:
    """Posts matching any term, at most `max_pages` pages of 100 per poll; `enabled` only with a token."""

    name = "x"

    def __init__(self, settings: Settings, client: httpx.AsyncClient, *, max_pages: int = 5) -> None:
        self._client = client
        self._retry = RetryPolicy.from_settings(settings)
        self._search_url = f"{settings.x_api_url.rstrip('/')}/tweets/search/recent"
        self._max_pages = max_pages
        token = settings.x_bearer_token
        self._auth = {"Authorization": f"Bearer {token.get_secret_value()}"} if token else None
        self.enabled = self._auth is not None
        if not self.enabled:
            log.info("%s: disabled: no API bearer token (set BRANDPULSE_X_BEARER_TOKEN)", self.name)

    def pages(self, query: SourceQuery, cursor: str | None) -> AsyncIterator[Page]:
        """Pages of posts newer than the cursor's `since_id`; nothing when disabled."""
        return paged(self._batches(query, _since_id(cursor)), cursor, _advance)

    async def _batches(self, query: SourceQuery, since_id: str | None) -> AsyncIterator[Batch]:
        terms = query.quoted_terms()
        if self._auth is None or not terms:
            return
        params: dict[str, str | int] = {"query": " OR ".join(terms), **FIELDS}
        if since_id is not None and _posted_at(since_id) > datetime.now(UTC) - SINCE_ID_MAX_AGE:
            params["since_id"] = since_id
        for page in range(self._max_pages):
            response = await get(
                self._client,
                self._search_url,
                self._retry,
                params=params,
                headers=self._auth,
                retryable=_retryable,
            )
            if response.status_code == 429:  # a spent window: `_retryable` let it through
                self._log_reset(response)
                return
            try:
                posts, users, next_token = _search_results(require_success(response))
            except ValueError as exc:
                yield [], [reject(self.name, f"search page {page}", str(exc))]
                return
            yield convert(self.name, posts, partial(_mention, users=users, fetched_at=datetime.now(UTC)), _id)
            if next_token is None:
                return
            if _window_spent(response):
                self._log_reset(response)
                return
            params["next_token"] = next_token
        log.warning("%s: over %d pages of new posts; older ones are skipped", self.name, self._max_pages)

    def _log_reset(self, response: httpx.Response) -> None:
        reset = response.headers.get("x-rate-limit-reset", "")
        at = datetime.fromtimestamp(int(reset), UTC).isoformat() if reset.isdigit() else "an unknown time"
        log.warning("%s: rate limit spent; stopping this poll, the window resets at %s", self.name, at)


def _window_spent(response: httpx.Response) -> bool:
    remaining: str | None = response.headers.get("x-rate-limit-remaining")
    return remaining == "0"


def _retryable(response: httpx.Response) -> bool:
    """Retry as usual, except a 429 for a spent window: it resets in up to 15 minutes."""
    return is_retryable(response) and not (response.status_code == 429 and _window_spent(response))


def _search_results(response: httpx.Response) -> tuple[list[Any], dict[str, str], str | None]:
    body = json_object(response)
    posts, meta = body.get("data", []), body.get("meta")
    if not isinstance(posts, list) or not isinstance(meta, dict):
        raise ValueError("no 'meta' object, or 'data' is not a list")
    includes = body.get("includes")
    users: object = includes.get("users") if isinstance(includes, dict) else None
    usernames = {
        user["id"]: user["username"]
        for user in (users if isinstance(users, list) else ())
        if isinstance(user, dict)
        and isinstance(user.get("id"), str)
        and isinstance(user.get("username"), str)
    }
    next_token = meta.get("next_token")
    return posts, usernames, next_token if isinstance(next_token, str) else None


def _id(post: Item) -> object:
    return post.get("id")


def _mention(post: Item, users: dict[str, str], fetched_at: datetime) -> Mention:
    post_id = post["id"]
    if not isinstance(post_id, str) or not post_id.isdigit():
        raise ValueError(f"id {post_id!r} is not a post id")
    username = users.get(post.get("author_id", ""))
    return Mention(
        source=XSource.name,
        external_id=post_id,
        url=f"{SITE_URL}/{username or 'i/web'}/status/{post_id}",
        text=post.get("text") or "",
        author=username,
        lang=language_tag(post.get("lang")),
        published_at=post.get("created_at"),
        fetched_at=fetched_at,
        meta=compact(author_id=post.get("author_id"), public_metrics=post.get("public_metrics")),
    )


def _posted_at(post_id: str) -> datetime:
    return datetime.fromtimestamp(((int(post_id) >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, UTC)


def _since_id(cursor: str | None) -> str | None:
    since_id = load_cursor(XSource.name, cursor).get("since_id")
    return since_id if isinstance(since_id, str) and since_id.isdigit() else None


def _advance(cursor: str | None, mentions: list[Mention]) -> str | None:
    if not mentions:
        return cursor
    newest = max(int(mention.external_id) for mention in mentions)
    return dump_cursor({"since_id": str(max(newest, int(_since_id(cursor) or 0)))})
