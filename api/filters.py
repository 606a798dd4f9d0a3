"""The filters every mention query takes (search, analytics, history, export), validated at the edge.

Dates: `since`/`until` (ISO 8601 with a timezone) or `last` (`30m`, `24h`, `7d`), never both; the
window is at most `api_max_range_days` long and defaults to the last 7 days.
"""

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from api.errors import ApiError
from brandpulse.brand_query import MAX_QUERY_CHARS, Node, parse
from brandpulse.contract import EmotionLabel, SentimentLabel
from brandpulse.settings import Settings

DEFAULT_WINDOW = timedelta(days=7)
LAST = re.compile(r"^(?P<count>[1-9][0-9]{0,5})(?P<unit>[mhd])$")
UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
Short = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class MentionFilters(BaseModel):
    """Query parameters shared by every endpoint that reads mentions."""

    model_config = ConfigDict(extra="forbid")

    q: Annotated[str, StringConstraints(max_length=MAX_QUERY_CHARS)] | None = Field(
        default=None, description='Brand-query syntax: terms, "phrases", OR, AND, -exclusion, parentheses.'
    )
    brand: list[Annotated[int, Field(gt=0, le=2**63 - 1)]] = Field(default=[], max_length=50)
    source: list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]] = Field(
        default=[], max_length=20
    )
    sentiment: list[SentimentLabel] = Field(default=[], max_length=3)
    emotion: list[EmotionLabel] = Field(default=[], max_length=4)
    lang: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]] = Field(
        default=[], max_length=20
    )
    entity: list[Short] = Field(default=[], max_length=20, description="Entity keys like `ORG:Acme`.")
    author: list[Short] = Field(default=[], max_length=20)
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    last: str | None = Field(default=None, description="A window ending now: `30m`, `24h`, `7d`.")

    def query(self) -> Node | None:
        """The parsed `q` (QuerySyntaxError, a 400 with the position, when it is not valid)."""
        return parse(self.q) if self.q and self.q.strip() else None

    def window(self, settings: Settings, now: datetime | None = None) -> tuple[datetime, datetime]:
        """The [start, end) of the query in UTC; ApiError 400 when it is inconsistent or too long."""
        now = (now or datetime.now(UTC)).astimezone(UTC)
        if self.last and (self.since or self.until):
            raise ApiError(400, "invalid_range", "give either `last` or `since`/`until`, not both")
        if self.last:
            match = LAST.match(self.last)
            if not match:
                raise ApiError(
                    400, "invalid_range", f"`last` must look like 30m, 24h or 7d, not {self.last!r}"
                )
            length = int(match["count"]) * UNITS[match["unit"]]
            if length > timedelta(days=settings.api_max_range_days):
                raise ApiError(
                    400, "invalid_range", f"the range is longer than {settings.api_max_range_days} days"
                )
            start, end = now - length, now
        else:
            end = self.until.astimezone(UTC) if self.until else now
            start = self.since.astimezone(UTC) if self.since else end - DEFAULT_WINDOW
        if start >= end:
            raise ApiError(400, "invalid_range", "the range is empty: `since` must be before `until`")
        if end - start > timedelta(days=settings.api_max_range_days):
            raise ApiError(
                400, "invalid_range", f"the range is longer than {settings.api_max_range_days} days"
            )
        return start, end


Sort = Literal["relevance", "newest"]
