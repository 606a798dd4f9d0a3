"""Full-text search over the mentions in Elasticsearch: a page of hits, one mention, every match as CSV."""

import csv
import io
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from elasticsearch import BadRequestError
from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import StreamingResponse

from api.deps import ReadKey, SettingsDep
from api.errors import ApiError, ErrorResponse
from api.filters import MentionFilters
from api.queries.elastic import SORTS, Cursor, MentionsDep, MentionsIndex, mention_query
from api.responses import json_body
from api.search_models import (
    BrandCount,
    FacetCount,
    Facets,
    Highlight,
    MentionBase,
    MentionPublic,
    SearchHit,
    SearchPage,
    SearchParams,
)

router = APIRouter(prefix="/api", tags=["search"], dependencies=[ReadKey])

HIT_FIELDS: Final = list(MentionBase.model_fields)
HIGHLIGHT: Final = {
    "encoder": "html",
    "pre_tags": ["<mark>"],
    "post_tags": ["</mark>"],
    "fields": {"title": {"number_of_fragments": 0}, "text": {"fragment_size": 160, "number_of_fragments": 2}},
}
FACETS: Final = {
    "brands": {"terms": {"field": "brand_ids", "size": 50}},
    "sources": {"terms": {"field": "source", "size": 20}},
    "sentiment": {"terms": {"field": "sentiment.label", "size": 3}},
    "entities": {"terms": {"field": "entity_keys", "size": 10}},
}
EXPORT_BATCH: Final = 500
EXPORT_COLUMNS: Final = (
    "mention_id", "published_at", "source", "brand_ids", "author", "lang", "sentiment", "sentiment_score",
    "emotion", "title", "text", "url", "entities", "keywords",
)  # fmt: skip
EXPORT_FIELDS: Final = [*HIT_FIELDS, "entity_keys"]
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


@router.get("/elastic/search", response_model=SearchPage)
async def list_mentions(
    params: Annotated[SearchParams, Query()], index: MentionsDep, settings: SettingsDep
) -> Response:
    """Mentions matching the filters, a page at a time, with snippets and, on the first page, facets."""
    if params.size > settings.api_max_page_size:
        raise ApiError(400, "invalid_request", f"`size` is at most {settings.api_max_page_size}")
    sort = params.sort if params.query() is not None else "newest"
    cursor = Cursor.decode(params.cursor, sort) if params.cursor else None
    now = cursor.now if cursor else datetime.now(UTC)
    start, end = params.window(settings, now)
    body: dict[str, Any] = {
        "query": mention_query(params, start, end),
        "sort": SORTS[sort],
        "size": params.size + 1,  # one more tells whether there is a next page
        "_source": HIT_FIELDS,
    }
    if cursor:
        body["search_after"] = cursor.after
    else:
        body["aggs"] = FACETS
    if sort == "relevance":
        body["highlight"] = HIGHLIGHT
    try:
        found = await index.search(**body)
    except BadRequestError:
        if cursor is None:
            raise
        raise ApiError(400, "invalid_cursor", "Elasticsearch refused the cursor's sort values") from None
    hits = found["hits"]["hits"][: params.size]
    more = len(found["hits"]["hits"]) > params.size
    page = SearchPage(
        total=found["hits"]["total"]["value"],
        total_exact=found["hits"]["total"]["relation"] == "eq",
        sort=sort,
        hits=[_hit(hit, sort == "relevance") for hit in hits],
        next_cursor=Cursor(sort, hits[-1]["sort"], now).encode() if more else None,
        facets=None if cursor else _facets(found.get("aggregations", {})),
    )
    return json_body(page)


def _hit(hit: dict[str, Any], scored: bool) -> SearchHit:
    snippets = hit.get("highlight", {})
    highlight = Highlight(title=(snippets.get("title") or [None])[0], text=snippets.get("text", []))
    return SearchHit.model_validate(
        {**hit["_source"], "score": hit["_score"] if scored else None, "highlight": highlight}
    )


def _facets(aggregations: dict[str, Any]) -> Facets:
    """The facet counts (none when the alias has no index yet: no aggregations at all)."""

    def buckets(name: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = aggregations.get(name, {}).get("buckets", [])
        return found

    def counts(name: str) -> list[FacetCount]:
        return [FacetCount(value=str(bucket["key"]), count=bucket["doc_count"]) for bucket in buckets(name)]

    brands = [BrandCount(brand_id=b["key"], count=b["doc_count"]) for b in buckets("brands")]
    return Facets(
        brands=brands, sources=counts("sources"), sentiment=counts("sentiment"), entities=counts("entities")
    )


@router.get("/elastic/mentions/{mention_id}", responses={404: {"model": ErrorResponse}})
async def read_mention(
    mention_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="32 hex characters.")],
    index: MentionsDep,
) -> MentionPublic:
    """One mention as Elasticsearch holds it (whichever index of the alias it is in)."""
    found = await index.search(query={"ids": {"values": [mention_id]}}, size=1)
    hits = found["hits"]["hits"]
    if not hits:
        raise ApiError(404, "not_found", f"no mention {mention_id} in Elasticsearch")
    return MentionPublic.model_validate(hits[0]["_source"])


@router.get(
    "/export.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"}},
)
async def export_mentions(
    filters: Annotated[MentionFilters, Query()], index: MentionsDep, settings: SettingsDep
) -> StreamingResponse:
    """Every mention matching the filters as CSV, newest first, streamed in batches without a cap.

    Cells that a spreadsheet would run as a formula (starting with = + - @ tab or CR) get a `'` prefix.
    """
    start, end = filters.window(settings)
    query = mention_query(filters, start, end)  # a bad query is a 400 before the stream starts
    name = f"mentions-{end:%Y%m%dT%H%M%SZ}.csv"
    return StreamingResponse(
        _csv(index, query),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _csv(index: MentionsIndex, query: dict[str, Any]) -> AsyncIterator[str]:
    yield _lines([EXPORT_COLUMNS])
    after: list[Any] | None = None
    while True:
        page = {"search_after": after} if after else {}
        found = await index.search(
            query=query,
            sort=SORTS["newest"],
            size=EXPORT_BATCH,
            _source=EXPORT_FIELDS,
            track_total_hits=False,
            **page,
        )
        hits = found["hits"]["hits"]
        if hits:
            yield _lines(_row(hit["_source"]) for hit in hits)
        if len(hits) < EXPORT_BATCH:
            return
        after = hits[-1]["sort"]


def _lines(rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _row(doc: dict[str, Any]) -> list[object]:
    sentiment, emotion = doc.get("sentiment") or {}, doc.get("emotion") or {}
    cells = [
        doc["mention_id"],
        doc["published_at"],
        doc["source"],
        ";".join(map(str, doc.get("brand_ids", []))),
        doc.get("author") or "",
        doc.get("lang") or "",
        sentiment.get("label", ""),
        sentiment.get("score"),  # a number: never a formula
        emotion.get("label", ""),
        doc.get("title", ""),
        doc.get("text", ""),
        doc.get("url") or "",
        ";".join(doc.get("entity_keys", [])),
        ";".join(doc.get("keywords", [])),
    ]
    return [safe_cell(cell) if isinstance(cell, str) else cell for cell in cells]


def safe_cell(value: str) -> str:
    """`value` with a `'` in front when a spreadsheet would take it for a formula (CSV injection)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
