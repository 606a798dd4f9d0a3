"""`GET /api/rollups/hourly`: per brand and source counts over long ranges, from PostgreSQL's rollups.

This is what dashboards read beyond the Elasticsearch retention. Each brand is one range scan of the
`hourly_rollups` primary key (brand_id, hour, source), or of `daily_rollups` for `interval=day`. The default
`auto` picks hours up to a week and days beyond, so a chart never gets more points than it can draw;
hourly buckets are refused beyond `MAX_HOURLY_DAYS` (a year of hours for 50 brands is 2M rows).
"""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from api.deps import ReaderDep, ReadKey, SettingsDep
from api.errors import ApiError
from api.filters import MentionFilters
from api.queries import postgres
from api.responses import json_object

router = APIRouter(prefix="/api", tags=["rollups"])
Interval = Literal["hour", "day"]
STEP = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
AUTO_HOURLY_UP_TO = timedelta(days=7)
MAX_HOURLY_DAYS = 31


class RollupFilters(BaseModel):
    """Which rollups: brands and sources (default all), a window as for mentions, and the bucket size."""

    model_config = ConfigDict(extra="forbid")

    brand: list[Annotated[int, Field(gt=0, le=2**63 - 1)]] = Field(default=[], max_length=50)
    source: list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]] = Field(
        default=[], max_length=20
    )
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    last: str | None = Field(default=None, description="A window ending now: `30m`, `24h`, `7d`.")
    interval: Literal["auto", "hour", "day"] = "auto"


class RollupPublic(BaseModel):
    """One brand's mentions from one source in one bucket.

    For `day`, `sentiment_score_mean` is the mean of the hours' means weighted by their labelled mentions
    (exact unless a correction labels a mention the model did not score), and `unique_authors` is null:
    distinct authors do not add up across hours.
    """

    brand_id: int
    source: str
    start: datetime
    mentions: int
    positive: int
    neutral: int
    negative: int
    sentiment_score_mean: float | None
    unique_authors: int | None


class RollupsPublic(BaseModel):
    """Rollups by brand, bucket start and source, for the window widened to whole buckets (UTC)."""

    interval: Interval
    since: datetime
    until: datetime
    data: list[RollupPublic]


@router.get("/rollups/hourly", dependencies=[ReadKey], response_model=RollupsPublic)
async def list_hourly_rollups(
    filters: Annotated[RollupFilters, Query()], settings: SettingsDep, reader: ReaderDep
) -> Response:
    """Mention counts, sentiment split, mean score and unique authors per brand, source and hour (or day)."""
    window = MentionFilters(since=filters.since, until=filters.until, last=filters.last)
    since, until = window.window(settings)
    interval = resolved(filters.interval, until - since)
    start, end = aligned(since, until, interval)
    rows = await postgres.rollups(
        reader, start=start, end=end, interval=interval, brand=filters.brand, source=filters.source
    )
    return json_object({"interval": interval, "since": start, "until": end}, data=rows)


def resolved(interval: Literal["auto", "hour", "day"], span: timedelta) -> Interval:
    """The bucket size for a window of `span`: `auto` is hours up to a week, days beyond."""
    if interval == "auto":
        return "hour" if span <= AUTO_HOURLY_UP_TO else "day"
    if interval == "hour" and span > timedelta(days=MAX_HOURLY_DAYS):
        raise ApiError(
            400, "invalid_range", f"hourly buckets cover at most {MAX_HOURLY_DAYS} days: use interval=day"
        )
    return interval


def aligned(start: datetime, end: datetime, interval: Interval) -> tuple[datetime, datetime]:
    """[start, end) widened to whole UTC buckets: the bucket holding `start` to the one holding `end`."""
    step, epoch = STEP[interval], datetime(1970, 1, 1, tzinfo=UTC)
    floor = epoch + (start - epoch) // step * step
    ceiling = epoch - (epoch - end) // step * step
    return floor, ceiling
