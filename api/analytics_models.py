"""What the analytics routes return: each answer carries the window it covers."""

from datetime import datetime

from pydantic import BaseModel, Field

from api.analytics import BrandShare, SentimentCounts, Spike, Trend, VolumePoint
from api.filters import MentionFilters


class Analysis(BaseModel):
    """The [start, end) the answer covers (a window ending now is moved up to the next cache boundary)."""

    start: datetime
    end: datetime


class SentimentPoint(BaseModel):
    """One bucket: its mentions and their sentiment."""

    time: datetime
    mentions: int
    sentiment: SentimentCounts


class SentimentSeries(Analysis):
    """Sentiment over time, in buckets of `interval` (chosen so a chart has at most 200 points)."""

    interval: str
    mentions: int
    sentiment: SentimentCounts
    points: list[SentimentPoint]


class EmotionCounts(BaseModel):
    """Mentions per emotion label."""

    anger: int
    joy: int
    optimism: int
    sadness: int


class Distribution(Analysis):
    """Sentiment and emotion totals; mentions without a label (not enriched in their language) are in
    `mentions` only."""

    mentions: int
    sentiment: SentimentCounts
    emotion: EmotionCounts


class TermStat(BaseModel):
    """A value (keyword, source, author) with its mentions and their sentiment."""

    key: str
    mentions: int
    sentiment: SentimentCounts


class EntityStat(TermStat):
    """An entity (`key` is `TYPE:text`) with its mentions and their sentiment."""

    type: str
    text: str


class TopEntities(Analysis):
    """The entities named most."""

    items: list[EntityStat]


class TopTerms(Analysis):
    """The values seen most."""

    items: list[TermStat]


class SharePoint(BaseModel):
    """One bucket: each brand's mentions and share."""

    time: datetime
    brands: list[BrandShare]


class ShareOfVoice(Analysis):
    """Brands compared: shares of the brands' mentions overall and per bucket (the brands asked for, or
    every brand seen)."""

    interval: str
    brands: list[BrandShare]
    points: list[SharePoint]


class Volume(Analysis):
    """Mentions over time with spikes: hours above the mean + `sigmas` deviations of the 12 hours before."""

    interval: str
    mentions: int
    sigmas: float
    points: list[VolumePoint]
    spikes: list[Spike]


class Trends(Analysis):
    """Entities and keywords compared between [previous_start, start) and [start, end)."""

    previous_start: datetime
    entities: list[Trend]
    keywords: list[Trend]


class TopParams(MentionFilters):
    """The filters, and how many values to return."""

    limit: int = Field(default=20, ge=1, le=100)


class TrendParams(TopParams):
    """The filters, how many terms, and the fewest mentions a term needs to count (now when rising,
    before when going quiet)."""

    min_count: int = Field(default=3, ge=1, le=100_000)
