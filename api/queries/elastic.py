"""Elasticsearch request bodies: the brand query translated, the shared filters, sorts and cursors.

A brand query (`brandpulse.brand_query`) becomes a `bool` query: each term or phrase looks in the title
(boost 3), the text, the enrichment's entities and keywords (boost 2) and the author (boost 2), so a
mention whose headline or named entities carry the term ranks above one that only mentions it in passing.
"""

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal, assert_never

from elasticsearch import AsyncElasticsearch, ConnectionTimeout
from elasticsearch import ConnectionError as EsConnectionError
from fastapi import Depends, Request

from api.errors import ApiError
from api.filters import MentionFilters
from brandpulse.brand_query import And, Node, Not, Or, Term

TEXT_FIELDS: Final = ("title^3", "text")
ENTITY_BOOST: Final = 2.0  # the NER step found the term as a named entity
KEYWORD_BOOST: Final = 2.0  # the term is one of the mention's key phrases
AUTHOR_BOOST: Final = 2.0
WORD: Final = re.compile(r"\w+")

SortOrder = Literal["relevance", "newest"]
SORTS: Final[dict[SortOrder, list[dict[str, str]]]] = {
    "relevance": [{"_score": "desc"}, {"published_at": "desc"}, {"mention_id": "desc"}],
    "newest": [{"published_at": "desc"}, {"mention_id": "desc"}],
}
MENTION_ID: Final = re.compile(r"^[0-9a-f]{32}$")


def translate(node: Node) -> dict[str, Any]:
    """The Elasticsearch query matching what `node` matches: AND -> must (exclusions -> must_not),
    OR -> should with minimum_should_match 1, a term or phrase -> its field queries."""
    match node:
        case Term():
            return _term(node)
        case And(children):
            wanted = [translate(child) for child in children if not isinstance(child, Not)]
            unwanted = [translate(child.child) for child in children if isinstance(child, Not)]
            return {"bool": {"must": wanted, "must_not": unwanted} if unwanted else {"must": wanted}}
        case Or(children):
            return {"bool": {"should": [translate(child) for child in children], "minimum_should_match": 1}}
        case Not(child):
            return {"bool": {"must_not": [translate(child)]}}
        case _:
            assert_never(node)


def _term(term: Term) -> dict[str, Any]:
    """A word matches its analysed form; a phrase, or a term of several words (`AT&T`, `e-bike`), matches
    them in sequence. Keywords and authors are exact keywords, compared ignoring case."""
    phrase = term.phrase or len(WORD.findall(term.text)) > 1
    if phrase:
        text: dict[str, Any] = {"multi_match": {"query": term.text, "fields": TEXT_FIELDS, "type": "phrase"}}
        entity: dict[str, Any] = {"match_phrase": {"entities.text.search": term.text}}
    else:
        text = {"multi_match": {"query": term.text, "fields": TEXT_FIELDS, "operator": "and"}}
        entity = {"match": {"entities.text.search": {"query": term.text, "operator": "and"}}}
    exact = {"value": term.text, "case_insensitive": True}
    clauses = [
        text,
        {"nested": {"path": "entities", "query": entity, "score_mode": "max", "boost": ENTITY_BOOST}},
        {"term": {"keywords": {**exact, "boost": KEYWORD_BOOST}}},
        {"term": {"author": {**exact, "boost": AUTHOR_BOOST}}},
    ]
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def es_time(moment: datetime) -> str:
    """`moment` as Elasticsearch dates are compared: UTC, milliseconds."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def filter_clauses(filters: MentionFilters, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The filters as `bool.filter` clauses: any of the values within a filter, every filter, the window."""
    fields: dict[str, list[Any]] = {
        "brand_ids": filters.brand,
        "source": filters.source,
        "sentiment.label": list(filters.sentiment),
        "emotion.label": list(filters.emotion),
        "lang": filters.lang,
        "entity_keys": filters.entity,
        "author": filters.author,
    }
    clauses = [{"terms": {field: sorted(set(values))}} for field, values in fields.items() if values]
    return [{"range": {"published_at": {"gte": es_time(start), "lt": es_time(end)}}}, *clauses]


def mention_query(filters: MentionFilters, start: datetime, end: datetime) -> dict[str, Any]:
    """The query for mentions matching `filters` in [start, end): the brand query scores, the rest filter."""
    node = filters.query()
    query: dict[str, Any] = {"filter": filter_clauses(filters, start, end)}
    if node is not None:
        query["must"] = [translate(node)]
    return {"bool": query}


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the sort order, the last hit's sort values, and the `now` the first page's window
    was resolved at, so `last=24h` keeps meaning the same 24 hours while a client pages."""

    sort: SortOrder
    after: list[Any]
    now: datetime

    def encode(self) -> str:
        """The cursor as clients see it: opaque URL-safe base64 of JSON."""
        data = {"sort": self.sort, "after": self.after, "now": self.now.isoformat()}
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str, sort: SortOrder) -> "Cursor":
        """The cursor a page returned; ApiError 400 when it is not one this API made for `sort`."""
        try:
            data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            after, now = data["after"], datetime.fromisoformat(data["now"])
        except (binascii.Error, ValueError, TypeError, KeyError):
            raise ApiError(400, "invalid_cursor", "the cursor is not one this API returned") from None
        if data.get("sort") != sort:
            raise ApiError(400, "invalid_cursor", f"the cursor does not belong to a search sorted by {sort}")
        if not _sort_values(after, sort) or now.tzinfo is None:
            raise ApiError(400, "invalid_cursor", "the cursor is not one this API returned")
        return cls(sort, after, now)


def _sort_values(after: Any, sort: SortOrder) -> bool:
    """Whether `after` has the shape of `sort`'s values: a score (relevance), epoch milliseconds, an id."""
    if not isinstance(after, list) or len(after) != len(SORTS[sort]):
        return False
    *values, mention_id = after
    if sort == "relevance":
        score, *values = values
        if not isinstance(score, int | float) or isinstance(score, bool):
            return False
    dates = all(isinstance(value, int) and not isinstance(value, bool) for value in values)
    return dates and isinstance(mention_id, str) and MENTION_ID.match(mention_id) is not None


class MentionsIndex:
    """The mentions alias, searched with `ignore_unavailable` so that before the elastic worker created
    an index it answers nothing found (and no aggregations); Elasticsearch unreachable is a 503."""

    def __init__(self, es: AsyncElasticsearch, alias: str) -> None:
        self.es = es
        self.alias = alias

    async def search(self, **body: Any) -> dict[str, Any]:
        """The response body of a search through the alias."""
        try:
            response = await self.es.search(index=self.alias, ignore_unavailable=True, **body)
        except (EsConnectionError, ConnectionTimeout) as error:
            raise ApiError(
                503, "elasticsearch_unavailable", f"Elasticsearch did not answer: {error}"
            ) from None
        found: dict[str, Any] = response.body
        return found


async def _mentions_index(request: Request) -> MentionsIndex:  # one dependency, not three: each costs CPU
    state = request.app.state
    return MentionsIndex(state.es, state.settings.es_alias)


MentionsDep = Annotated[MentionsIndex, Depends(_mentions_index)]
