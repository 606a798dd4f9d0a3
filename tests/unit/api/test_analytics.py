"""The analytics computed in Python (net sentiment, intervals, shares, spikes, trends) and the cache's
normalised key and window."""

import statistics
from datetime import UTC, datetime, timedelta

import pytest

from api import analytics
from api.analytics import INTERVALS, Interval, Spike, choose_interval, net_sentiment, sentiment_counts, shares
from api.cache import Cache
from api.filters import MentionFilters
from brandpulse.settings import Settings

T0 = datetime(2026, 11, 24, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("positive", "negative", "expected"),
    [(3, 1, 0.5), (1, 3, -0.5), (5, 0, 1.0), (0, 5, -1.0), (2, 2, 0.0), (0, 0, None)],
)
def test_net_sentiment(positive: int, negative: int, expected: float | None) -> None:
    assert net_sentiment(positive, negative) == expected


def test_sentiment_counts_fill_absent_labels_with_zero() -> None:
    counts = sentiment_counts({"positive": 6, "negative": 2})
    assert (counts.positive, counts.neutral, counts.negative, counts.net_sentiment) == (6, 0, 2, 0.5)


@pytest.mark.parametrize(
    ("span", "name"),
    [
        (timedelta(minutes=5), "1m"),
        (timedelta(hours=1), "1m"),
        (timedelta(hours=3, minutes=20), "1m"),  # exactly 200 points
        (timedelta(hours=3, minutes=21), "5m"),
        (timedelta(hours=24), "10m"),
        (timedelta(hours=48), "15m"),
        (timedelta(days=7), "1h"),
        (timedelta(days=30), "6h"),
        (timedelta(days=90), "12h"),
        (timedelta(days=400), "7d"),
    ],
)
def test_the_interval_gives_at_most_200_points(span: timedelta, name: str) -> None:
    assert choose_interval(T0, T0 + span).name == name


@pytest.mark.parametrize("minutes", [20, 45, 100, 201, 1441, 2900, 10_081, 50_000, 200_000, 576_000])
def test_a_range_of_20_minutes_or_more_gets_20_to_200_points(minutes: int) -> None:
    span = timedelta(minutes=minutes)
    points = span / choose_interval(T0, T0 + span).length
    assert 20 <= points <= 200


def test_intervals_are_finest_first_and_named_for_elasticsearch() -> None:
    lengths = [interval.length for interval in INTERVALS]
    assert lengths == sorted(lengths)
    units = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
    assert all(int(i.name[:-1]) * units[i.name[-1]] == i.length for i in INTERVALS)


def test_shares_are_of_the_brands_compared() -> None:
    result = shares({1: 30, 2: 10, 3: 60}, [1, 2])
    assert [(s.brand_id, s.mentions, s.share) for s in result] == [(1, 30, 0.75), (2, 10, 0.25)]
    assert [s.share for s in shares({}, [1, 2])] == [None, None]
    assert [(s.mentions, s.share) for s in shares({1: 4}, [1, 2])] == [(4, 1.0), (0, 0.0)]


def hours(counts: list[int]) -> list[tuple[datetime, int]]:
    return [(T0 + n * HOUR, count) for n, count in enumerate(counts)]


def test_a_spike_is_an_hour_above_mean_plus_k_sigma_of_the_12_before() -> None:
    baseline = [10, 12] * 6  # mean 11, population sigma 1
    found = analytics.spikes(hours([*baseline, 14, 11]), sigmas=2.0)
    assert found == [
        Spike(hour=T0 + 12 * HOUR, mentions=14, baseline_mean=11.0, baseline_sigma=1.0, threshold=13.0)
    ]


def test_the_threshold_is_strict_and_k_matters() -> None:
    baseline = [10, 12] * 6
    assert analytics.spikes(hours([*baseline, 13]), sigmas=2.0) == []  # equal to the threshold
    assert len(analytics.spikes(hours([*baseline, 13]), sigmas=1.9)) == 1
    assert analytics.spikes(hours([*baseline, 14]), sigmas=3.0) == []


def test_the_first_12_hours_are_only_a_baseline() -> None:
    assert analytics.spikes(hours([0] * 11 + [500]), sigmas=3.0) == []
    found = analytics.spikes(hours([0] * 12 + [1]), sigmas=3.0)  # sigma 0: anything above the mean
    assert [(s.hour, s.threshold) for s in found] == [(T0 + 12 * HOUR, 0.0)]


def test_each_hour_is_judged_against_its_own_previous_12() -> None:
    counts = [5] * 12 + [40] + [5] * 12 + [6]
    found = analytics.spikes(hours(counts), sigmas=3.0)
    assert [s.hour for s in found] == [T0 + 12 * HOUR, T0 + 25 * HOUR]  # 6 > 5 once the 40 left the window
    late = [5] * 11 + [40]
    assert found[1].baseline_mean == statistics.fmean([5] * 12)
    assert analytics.spikes(hours([*late, 41]), sigmas=3.0)[0].baseline_sigma == statistics.pstdev(late)


def test_volume_points_are_flagged_where_a_spike_hour_overlaps() -> None:
    spike = Spike(hour=T0 + HOUR, mentions=9, baseline_mean=1, baseline_sigma=1, threshold=4)
    quarter = Interval("15m", timedelta(minutes=15))
    points = [(T0 + n * quarter.length, 1) for n in range(9)]
    flags = [p.spike for p in analytics.volume_points(points, quarter, [spike])]
    assert flags == [False] * 4 + [True] * 4 + [False]
    day = Interval("1d", timedelta(days=1))
    assert [p.spike for p in analytics.volume_points([(T0, 5), (T0 + day.length, 2)], day, [spike])] == [
        True,
        False,
    ]


def test_trending_ranks_by_the_poisson_rise_and_needs_min_count() -> None:
    counts = {"big": (100, 120), "new": (0, 9), "small": (3, 8), "rare": (0, 2), "down": (10, 5)}
    found = analytics.trending(counts, min_count=3, limit=10)
    assert [t.key for t in found] == ["new", "small", "big"]  # 9/1, 5/2, 20/10.05
    assert (found[0].previous, found[0].current, found[0].change, found[0].score) == (0, 9, 9, 9.0)
    assert found[2].score == pytest.approx(20 / 101**0.5)
    assert [t.key for t in analytics.trending(counts, min_count=3, limit=2)] == ["new", "small"]


def test_trending_breaks_ties_by_count_then_key() -> None:
    found = analytics.trending({"b": (0, 4), "a": (0, 4), "c": (3, 8)}, min_count=1, limit=10)
    assert [t.key for t in found] == ["a", "b", "c"]  # c: 5/2 = 2.5 < 4


def test_stale_terms_were_frequent_and_went_quiet() -> None:
    counts = {"gone": (12, 0), "faded": (20, 4), "held": (20, 5), "rare": (2, 0), "rising": (1, 9)}
    found = analytics.stale(counts, min_count=3, limit=10)
    assert [t.key for t in found] == ["faded", "gone"]  # -16/sqrt(21) < -12/sqrt(13); 5 > 20 x 0.2
    assert found[1].change == -12
    assert analytics.stale(counts, min_count=13, limit=10)[0].key == "faded"


SETTINGS = Settings(_env_file=None, api_cache_ttl_s=60, es_alias="mentions")
NOW = datetime(2026, 11, 24, 12, 0, 30, 500_000, tzinfo=UTC)


def cache(ttl_s: float = 60) -> Cache:
    return Cache(None, SETTINGS.model_copy(update={"api_cache_ttl_s": ttl_s}))  # type: ignore[arg-type]


def test_a_window_ending_now_moves_to_the_next_ttl_boundary() -> None:
    boundary = datetime(2026, 11, 24, 12, 1, tzinfo=UTC)
    last = MentionFilters(last="24h")
    assert cache().window(last, NOW) == (boundary - timedelta(hours=24), boundary)
    assert cache().window(last, NOW + timedelta(seconds=29)) == cache().window(last, NOW)
    assert cache().window(last, boundary + timedelta(microseconds=1))[1] == boundary + timedelta(minutes=1)
    since = MentionFilters(since=T0)
    assert cache().window(since, NOW) == (T0, boundary)
    fixed = MentionFilters(since=T0, until=T0 + HOUR)
    assert cache().window(fixed, NOW) == (T0, T0 + HOUR)
    assert cache(ttl_s=0).window(last, NOW) == (NOW - timedelta(hours=24), NOW)


def test_the_key_is_the_same_for_the_same_query_however_written() -> None:
    window = (T0, T0 + HOUR)
    one = MentionFilters(q='acme  OR "Acme Corp"', source=["x", "news", "x"], brand=[2, 1])
    other = MentionFilters(q='acme OR "Acme  Corp"', source=["news", "x"], brand=[1, 2])
    assert cache().key("volume", one, window) == cache().key("volume", other, window)


@pytest.mark.parametrize(
    "change",
    [
        {"endpoint": "sentiment"},
        {"window": (T0, T0 + 2 * HOUR)},
        {"filters": MentionFilters(source=["x"])},
        {"filters": MentionFilters(q="acme OR beta", source=["x", "news"])},
        {"extra": {"sigmas": 2.0}},
        {"alias": "other"},
    ],
)
def test_the_key_changes_with_what_the_answer_depends_on(change: dict[str, object]) -> None:
    base: dict[str, object] = {
        "endpoint": "volume",
        "filters": MentionFilters(q="acme", source=["x", "news"]),
        "window": (T0, T0 + HOUR),
        "extra": {"sigmas": 3.0},
        "alias": "mentions",
    }

    def key(args: dict[str, object]) -> str:
        settings = SETTINGS.model_copy(update={"es_alias": args["alias"]})
        return Cache(None, settings).key(args["endpoint"], args["filters"], args["window"], args["extra"])  # type: ignore[arg-type]

    assert key(base) != key({**base, **change})
