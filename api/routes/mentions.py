"""`GET /api/mentions` (history from PostgreSQL) and `PATCH /api/mentions/{id}/sentiment` (a correction).

History takes the filters search takes except `q`: PostgreSQL has no analyzer of ours, and an `ILIKE` on
the terms would ignore exclusions, word boundaries and accents, so a full-text query is a 400 that points
to `/api/elastic/search`. Paging is by keyset on (published_at, id) with an opaque cursor.
"""

import base64
import binascii
import json
import logging
from datetime import datetime
from typing import Annotated, Any, Literal

from elasticsearch import ApiError as EsApiError
from elasticsearch import AsyncElasticsearch, TransportError
from fastapi import APIRouter, Path, Query, Response
from pydantic import AwareDatetime, BaseModel, Field
from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.deps import EngineDep, EsDep, ReaderDep, ReadKey, RedisDep, SettingsDep, WriteKey
from api.errors import ApiError, ErrorResponse
from api.filters import MentionFilters
from api.queries import postgres
from api.responses import json_object
from brandpulse import corrections
from brandpulse.contract import EmotionLabel, SentimentLabel

router = APIRouter(prefix="/api", tags=["mentions"])
log = logging.getLogger(__name__)
MentionId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="A mention id: 32 hex digits.")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "Neither store holds the mention."}
}


class HistoryFilters(MentionFilters):
    """The mention filters, a page size and the cursor of the previous page."""

    size: int = Field(
        default=50, ge=1, description="Mentions per page, at most BRANDPULSE_API_MAX_PAGE_SIZE."
    )
    cursor: str | None = Field(
        default=None, max_length=200, description="`next_cursor` of the previous page."
    )


class EnrichmentPublic(BaseModel):
    """What the models said about a mention."""

    sentiment_label: SentimentLabel | None
    sentiment_score: float | None
    sentiment_probabilities: dict[str, float] | None
    emotion_label: EmotionLabel | None
    emotion_probabilities: dict[str, float] | None
    entities: list[dict[str, str]]
    keywords: list[str]
    models: dict[str, str]
    enriched_at: datetime


class CorrectionPublic(BaseModel):
    """A person's sentiment label for a mention."""

    label: SentimentLabel
    corrected_by: str
    corrected_at: datetime


class MentionPublic(BaseModel):
    """A stored mention with its enrichment and any correction; `sentiment` is the label that counts."""

    id: str
    source: str
    external_id: str
    url: str | None
    title: str
    text: str
    author: str | None
    lang: str | None
    published_at: datetime
    fetched_at: datetime
    brand_ids: list[int]
    sentiment: SentimentLabel | None = Field(description="The correction's label if any, else the model's.")
    enrichment: EnrichmentPublic | None
    correction: CorrectionPublic | None


class MentionsPublic(BaseModel):
    """A page of history, newest first; `next_cursor` is null on the last page."""

    data: list[MentionPublic]
    next_cursor: str | None


@router.get("/mentions", dependencies=[ReadKey], response_model=MentionsPublic)
async def list_mentions(
    filters: Annotated[HistoryFilters, Query()], settings: SettingsDep, reader: ReaderDep
) -> Response:
    """Stored mentions matching the filters, newest first, from PostgreSQL (the full history)."""
    if filters.q is not None:
        raise ApiError(
            400, "unsupported_filter", "full-text `q` is not available on history: use /api/elastic/search"
        )
    if filters.size > settings.api_max_page_size:
        raise ApiError(400, "invalid_size", f"`size` is at most {settings.api_max_page_size}")
    start, end = filters.window(settings)
    query = postgres.HistoryQuery(
        start=start,
        end=end,
        limit=filters.size + 1,
        brand=filters.brand,
        filters={name: getattr(filters, name) for name in postgres.CONDITIONS},
        after=decode_cursor(filters.cursor) if filters.cursor else None,
    )
    with postgres.refused_values_as_400():
        rows = await postgres.history(reader, query)
    page = rows[: filters.size]
    cursor = encode_cursor(page[-1].published_at, page[-1].id.hex) if len(rows) > filters.size else None
    return json_object({"next_cursor": cursor}, data="[" + ",".join(row.doc for row in page) + "]")


def encode_cursor(published_at: datetime, mention_id: str) -> str:
    """An opaque cursor: the position of the last mention of a page."""
    raw = json.dumps([published_at.isoformat(), mention_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


class _Position(BaseModel):
    published_at: AwareDatetime
    id: str = Field(pattern=r"^[0-9a-f]{32}$")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The (published_at, id) a cursor holds; a 400 when it is not one this API made."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        published_at, mention_id = json.loads(raw)
        position = _Position(published_at=published_at, id=mention_id)
    except (binascii.Error, ValueError, TypeError) as error:
        raise ApiError(400, "invalid_cursor", "`cursor` is not a cursor this API returned") from error
    return position.published_at, position.id


class SentimentUpdate(BaseModel):
    """A person's sentiment label for a mention."""

    label: SentimentLabel
    corrected_by: str = Field(default="api", min_length=1, max_length=200, pattern=r"^[^\x00]+$")


class SentimentPublic(BaseModel):
    """The correction as stored, the model's label, and where it took effect.

    `elasticsearch`: `updated`; `not_indexed` (no document now: the elastic worker applies the recorded
    correction when it indexes the mention); `unavailable` (Elasticsearch could not be reached: the
    response is 202 and repeating the PATCH, which is idempotent, brings the document in line).
    `recorded`: whether the correction reached the Redis record the elastic worker reads on re-index.
    """

    mention_id: str
    label: SentimentLabel
    model_label: SentimentLabel | None
    corrected_by: str
    corrected_at: datetime
    elasticsearch: Literal["updated", "not_indexed", "unavailable"]
    recorded: bool


@router.patch(
    "/mentions/{mention_id}/sentiment",
    dependencies=[WriteKey],
    responses={
        **NOT_FOUND,
        202: {
            "model": SentimentPublic,
            "description": "Stored in PostgreSQL; not every other sink took it yet.",
        },
        503: {"model": ErrorResponse, "description": "Not in PostgreSQL, and Elasticsearch cannot be asked."},
    },
)
async def update_sentiment(
    *,
    mention_id: MentionId,
    body: SentimentUpdate,
    response: Response,
    settings: SettingsDep,
    engine: EngineDep,
    es: EsDep,
    redis: RedisDep,
) -> SentimentPublic:
    """Correct a mention's sentiment: the label wins in rollups (recounted now) and in Elasticsearch.

    PostgreSQL first, in one transaction (the correction and the recount of the mention's rollup keys),
    then the Redis record for later re-indexing, then the Elasticsearch document (refreshed). 200 when
    every sink took it, 202 when Redis or Elasticsearch could not be reached after PostgreSQL committed.
    """
    async with engine.begin() as connection:
        stored = await postgres.is_stored(connection, mention_id)
        if not stored and not await _indexed(es, settings.es_alias, mention_id):
            raise ApiError(404, "not_found", f"no mention {mention_id}")
        corrected_at, model_label = await postgres.correct_sentiment(
            connection, mention_id, body.label, body.corrected_by
        )
    correction = corrections.Correction(label=body.label, corrected_at=corrected_at)
    recorded = await _record(redis, mention_id, correction)
    indexed = await _update_document(es, settings.es_alias, mention_id, correction)
    if indexed == "unavailable" or not recorded:
        response.status_code = 202
    return SentimentPublic(
        mention_id=mention_id,
        label=body.label,
        model_label=model_label,
        corrected_by=body.corrected_by,
        corrected_at=corrected_at,
        elasticsearch=indexed,
        recorded=recorded,
    )


def _unavailable(error: Exception) -> bool:
    """Whether an Elasticsearch error means the cluster is unreachable or failing (not a bad request)."""
    return isinstance(error, TransportError) or (isinstance(error, EsApiError) and error.meta.status >= 500)


async def _indexed(es: AsyncElasticsearch, alias: str, mention_id: str) -> bool:
    """Whether Elasticsearch holds the mention (asked only when PostgreSQL does not)."""
    try:
        found = await es.count(index=alias, query={"ids": {"values": [mention_id]}}, ignore_unavailable=True)
    except (TransportError, EsApiError) as error:
        if not _unavailable(error):
            raise
        message = "cannot tell whether the mention exists: Elasticsearch is unavailable"
        raise ApiError(503, "unavailable", message) from error
    return bool(found["count"])


async def _record(redis: Redis, mention_id: str, correction: corrections.Correction) -> bool:
    try:
        await corrections.record(redis, mention_id, correction.label, correction.corrected_at)
    except RedisError:
        log.warning("correction of %s not recorded in Redis", mention_id, exc_info=True)
        return False
    return True


async def _update_document(
    es: AsyncElasticsearch, alias: str, mention_id: str, correction: corrections.Correction
) -> Literal["updated", "not_indexed", "unavailable"]:
    try:
        updated = await corrections.update_document(es, alias, mention_id, correction)
    except (TransportError, EsApiError) as error:
        if not _unavailable(error):
            raise
        log.warning("correction of %s not applied in Elasticsearch", mention_id, exc_info=True)
        return "unavailable"
    return "updated" if updated else "not_indexed"
