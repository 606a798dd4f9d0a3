"""The connector interface: what a source searches for, the pages it answers with, and what it skipped.

A cursor is opaque to callers (connectors write JSON): store a page's cursor only after publishing that
page. Connectors that read newest-first advance it on the last page of a poll only, so a poll that fails
part-way re-reads its pages next time (dedupe drops them) rather than skipping the older ones. A poll
stopped by its bound (`max_pages`) or a spent rate limit does advance it, and logs that older items
were skipped.
"""

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from brandpulse.contract import Mention

log = logging.getLogger(__name__)
Item = Mapping[str, Any]  # one raw item of a payload: a JSON object, or a feed entry


@dataclass(frozen=True)
class SourceQuery:
    """What a connector searches for one brand."""

    brand_id: int
    terms: tuple[str, ...]  # positive terms and phrases of the brand's Boolean query
    feeds: tuple[str, ...] = ()  # extra RSS/Atom feed URLs the brand lists (news connector only)

    def quoted_terms(self) -> list[str]:
        """The terms in search syntax: phrases in double quotes, blank terms dropped."""
        cleaned = (" ".join(term.replace('"', " ").split()) for term in self.terms)
        return [f'"{term}"' if " " in term else term for term in cleaned if term]


@dataclass(frozen=True)
class Rejected:
    """An item or payload a connector skipped: its id (or URL, or line) and why."""

    item: str
    reason: str


@dataclass(frozen=True)
class Page:
    """One batch of a poll; store `cursor` only after publishing `mentions`."""

    mentions: list[Mention]
    rejected: list[Rejected]
    cursor: str | None


class Source(Protocol):
    """A connector: polls one source for one brand at a time."""

    name: str  # the Mention.source value

    def pages(self, query: SourceQuery, cursor: str | None) -> AsyncIterator[Page]:
        """The pages of mentions newer than `cursor`; recent ones (bounded) when it is None."""
        ...


Batch = tuple[list[Mention], list[Rejected]]


async def paged(
    batches: AsyncIterator[Batch],
    cursor: str | None,
    advance: Callable[[str | None, list[Mention]], str | None],
) -> AsyncIterator[Page]:
    """Pages from newest-first batches: each carries `cursor` but the last, which carries it advanced."""
    held: Batch | None = None
    advanced = cursor
    async for batch in batches:
        if held is not None:
            yield Page(*held, cursor)
        held = batch
        advanced = advance(advanced, batch[0])
    if held is not None:
        yield Page(*held, advanced)


def reject(source: str, item: str, reason: str) -> Rejected:
    """Log a skipped item or payload, and report it for `Page.rejected`."""
    log.warning("%s: skipped %s: %s", source, item, reason)
    return Rejected(item, reason)


def convert(
    source: str,
    items: Iterable[object],
    to_mention: Callable[[Item], Mention],
    item_id: Callable[[Item], object],
) -> Batch:
    """Mentions from raw items; an item that is not an object or does not convert is rejected, saying why."""
    mentions: list[Mention] = []
    rejected: list[Rejected] = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            rejected.append(reject(source, f"item #{index}", f"not an object: {item!r:.80}"))
            continue
        try:
            mentions.append(to_mention(item))
        except (ValueError, TypeError, KeyError) as exc:
            rejected.append(reject(source, str(item_id(item) or f"item #{index}"), _reason(exc)))
    return mentions, rejected


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(map(_describe, exc.errors(include_url=False)))
    if isinstance(exc, KeyError):
        return f"missing field {exc}"
    return str(exc)


def _describe(error: ErrorDetails) -> str:
    field = ".".join(map(str, error["loc"]))
    message = error["msg"].removeprefix("Value error, ")
    return f"{field}: {message}" if field else message


def load_cursor(source: str, cursor: str | None) -> dict[str, Any]:
    """The JSON object a connector wrote as its cursor; {} when there is none or it is unreadable."""
    if cursor is None:
        return {}
    try:
        state = json.loads(cursor)
    except ValueError:
        state = None
    if isinstance(state, dict):
        return state
    log.warning("%s: ignoring an unreadable cursor %r; reading recent items", source, cursor[:100])
    return {}


def dump_cursor(state: Mapping[str, Any]) -> str:
    """A cursor holding `state`, as compact, stable JSON."""
    return json.dumps(state, sort_keys=True, separators=(",", ":"))
