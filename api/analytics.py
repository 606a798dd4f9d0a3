"""Analytics computed in Python from plain aggregation counts: net sentiment, share of voice, the chart
interval, volume spikes, and what is trending or went stale.

Real Elasticsearch could do part of this with pipeline aggregations (`bucket_script`, `moving_fn`); the local
ES-API server has none (ELASTIC_COMPAT.md), so the routes ask only for `terms`, `date_histogram`,
`date_range` and `filter` counts and every ratio, trend and spike is computed here, once, for both.
"""

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from pydantic import BaseModel

MAX_POINTS: Final = 200
BASELINE_HOURS: Final = 12  # a volume spike is an hour against the mean and deviation of the 12 before
HOUR: Final = timedelta(hours=1)
QUIET_DIVISOR: Final = 5  # stale: the current window has at most a fifth of the previous window's count


@dataclass(frozen=True)
class Interval:
    """A chart's bucket width, named as Elasticsearch's `fixed_interval` takes it."""

    name: str
    length: timedelta


INTERVALS: Final = tuple(
    Interval(name, timedelta(minutes=minutes))
    for name, minutes in (
        ("1m", 1), ("5m", 5), ("10m", 10), ("15m", 15), ("30m", 30), ("1h", 60), ("3h", 180),
        ("6h", 360), ("12h", 720), ("1d", 1440), ("7d", 10080),
    )
)  # fmt: skip


def choose_interval(start: datetime, end: datetime) -> Interval:
    """The finest interval giving at most MAX_POINTS buckets over [start, end); as each interval is at most
    7 times the one before, a range of 20 minutes or more gets over 20 points (24 h -> 10m, 7 d -> 1h)."""
    span = end - start
    return next((i for i in INTERVALS if span / i.length <= MAX_POINTS), INTERVALS[-1])


def net_sentiment(positive: int, negative: int) -> float | None:
    """(positive - negative) / (positive + negative), in [-1, 1]; None without either."""
    return (positive - negative) / (positive + negative) if positive + negative else None


class SentimentCounts(BaseModel):
    """Mentions per sentiment label, and the net sentiment (positive - negative) / (positive + negative)."""

    positive: int
    neutral: int
    negative: int
    net_sentiment: float | None


def sentiment_counts(labels: Mapping[str, int]) -> SentimentCounts:
    """The counts of a `sentiment.label` terms aggregation (labels absent count 0)."""
    positive, negative = labels.get("positive", 0), labels.get("negative", 0)
    return SentimentCounts(
        positive=positive,
        neutral=labels.get("neutral", 0),
        negative=negative,
        net_sentiment=net_sentiment(positive, negative),
    )


class BrandShare(BaseModel):
    """A brand's mentions and its share of all the brands' mentions (None when there were none)."""

    brand_id: int
    mentions: int
    share: float | None


def shares(counts: Mapping[int, int], brands: Sequence[int]) -> list[BrandShare]:
    """Each of `brands` with its share of the mentions of `brands`; a mention naming two counts for both."""
    total = sum(counts.get(brand, 0) for brand in brands)
    return [
        BrandShare(brand_id=b, mentions=counts.get(b, 0), share=counts.get(b, 0) / total if total else None)
        for b in brands
    ]


class Spike(BaseModel):
    """An hour with more mentions than the mean + k standard deviations of the hours before it."""

    hour: datetime
    mentions: int
    baseline_mean: float
    baseline_sigma: float
    threshold: float


def spikes(hourly: Sequence[tuple[datetime, int]], sigmas: float) -> list[Spike]:
    """The hours of `hourly` (consecutive, oldest first) above the mean + `sigmas` population standard
    deviations of the BASELINE_HOURS before them; the first BASELINE_HOURS serve only as a baseline."""
    found = []
    for at in range(BASELINE_HOURS, len(hourly)):
        before = [count for _, count in hourly[at - BASELINE_HOURS : at]]
        mean, sigma = statistics.fmean(before), statistics.pstdev(before)
        hour, count = hourly[at]
        if count > mean + sigmas * sigma:
            threshold = mean + sigmas * sigma
            found.append(
                Spike(
                    hour=hour, mentions=count, baseline_mean=mean, baseline_sigma=sigma, threshold=threshold
                )
            )
    return found


class VolumePoint(BaseModel):
    """A chart bucket's mentions; `spike` when it overlaps an hour flagged as a spike."""

    time: datetime
    mentions: int
    spike: bool


def volume_points(
    counts: Sequence[tuple[datetime, int]], interval: Interval, found: Sequence[Spike]
) -> list[VolumePoint]:
    """The chart buckets (start, count) with the spike hours of `found` marked on the ones they overlap."""
    return [
        VolumePoint(
            time=time,
            mentions=count,
            spike=any(_overlap(time, interval.length, spike.hour) for spike in found),
        )
        for time, count in counts
    ]


def _overlap(start: datetime, length: timedelta, hour: datetime) -> bool:
    return start < hour + HOUR and hour < start + length


class Trend(BaseModel):
    """A term's mentions in the previous and the current window; `score` is the change in standard
    deviations of a Poisson count: (current - previous) / √(previous + 1)."""

    key: str
    previous: int
    current: int
    change: int
    score: float


def _trend(key: str, previous: int, current: int) -> Trend:
    score = (current - previous) / math.sqrt(previous + 1)
    return Trend(key=key, previous=previous, current=current, change=current - previous, score=score)


def trending(counts: Mapping[str, tuple[int, int]], min_count: int, limit: int) -> list[Trend]:
    """The terms rising most: (previous, current) counts per term, at least `min_count` now, by score."""
    rising = [
        _trend(key, *pair) for key, pair in counts.items() if pair[1] > pair[0] and pair[1] >= min_count
    ]
    return sorted(rising, key=lambda t: (-t.score, -t.current, t.key))[:limit]


def stale(counts: Mapping[str, tuple[int, int]], min_count: int, limit: int) -> list[Trend]:
    """The terms that went quiet: at least `min_count` before, at most 1/QUIET_DIVISOR of that now; the
    biggest drops (lowest score) first."""
    quiet = [
        _trend(key, previous, current)
        for key, (previous, current) in counts.items()
        if previous >= min_count and current * QUIET_DIVISOR <= previous
    ]
    return sorted(quiet, key=lambda t: (t.score, -t.previous, t.key))[:limit]
