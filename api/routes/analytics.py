"""`/api/elastic/analytics/*`: aggregates over the mentions matching the search filters, cached in Redis.

Elasticsearch only counts (`terms`, `date_histogram`, `date_range`, `filter`); `api.analytics` turns the
counts into ratios, spikes and trends.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Query, Response

from api import analytics
from api.analytics import BASELINE_HOURS, Trend, choose_interval, sentiment_counts, shares
from api.analytics_models import (
    Distribution,
    EmotionCounts,
    EntityStat,
    SentimentPoint,
    SentimentSeries,
    ShareOfVoice,
    SharePoint,
    TermStat,
    TopEntities,
    TopParams,
    TopTerms,
    TrendParams,
    Trends,
    Volume,
)
from api.cache import Cache, CacheDep
from api.deps import ReadKey, SettingsDep
from api.filters import MentionFilters
from api.queries.elastic import MentionsDep, MentionsIndex, es_time, mention_query

X_CACHE: Final = {
    "description": "`hit` when the body came from the aggregate cache, `stale` when it is the previous "
    "window's (a window ending now, at most one cache TTL older, while this one is computed), else `miss`.",
    "schema": {"type": "string", "enum": ["hit", "miss", "stale"]},
}
router = APIRouter(
    prefix="/api/elastic/analytics",
    tags=["analytics"],
    dependencies=[ReadKey],
    responses={200: {"description": "Successful Response", "headers": {"X-Cache": X_CACHE}}},
)
Filters = Annotated[MentionFilters, Query()]
Top = Annotated[TopParams, Query()]
Trending = Annotated[TrendParams, Query()]

SENTIMENT: Final = {"terms": {"field": "sentiment.label", "size": 3}}
BY_SENTIMENT: Final = {"sentiment": SENTIMENT}
BRANDS: Final = 100  # brands compared at most
CANDIDATES: Final = 1000  # trending/stale compare this many terms (see _trends)
HOUR: Final = timedelta(hours=1)
MILLISECOND: Final = timedelta(milliseconds=1)


def _terms(field: str, size: int, aggs: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"terms": {"field": field, "size": size}, **({"aggs": aggs} if aggs else {})}


def _histogram(
    interval: str, start: datetime, end: datetime, aggs: dict[str, Any] | None = None
) -> dict[str, Any]:
    bounds = {"min": es_time(start), "max": es_time(end - MILLISECOND)}
    histogram = {
        "field": "published_at",
        "fixed_interval": interval,
        "min_doc_count": 0,
        "extended_bounds": bounds,
    }
    return {"date_histogram": histogram, **({"aggs": aggs} if aggs else {})}


def _buckets(aggs: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The buckets of aggregation `name` (none when the alias has no index yet: no aggregations at all)."""
    buckets: list[dict[str, Any]] = aggs.get(name, {}).get("buckets", [])
    return buckets


def _counts(aggs: dict[str, Any], name: str) -> dict[Any, int]:
    return {bucket["key"]: bucket["doc_count"] for bucket in _buckets(aggs, name)}


def _time(bucket: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(bucket["key"] / 1000, UTC)


async def _aggregate(
    index: MentionsIndex, filters: MentionFilters, start: datetime, end: datetime, aggs: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """The number of matches in [start, end) and the aggregations over them."""
    query = mention_query(filters, start, end)
    found = await index.search(query=query, size=0, track_total_hits=True, aggs=aggs)
    return found["hits"]["total"]["value"], found.get("aggregations", {})


@router.get("/sentiment", response_model=SentimentSeries)
async def read_sentiment(filters: Filters, index: MentionsDep, cache: CacheDep) -> Response:
    """Sentiment counts and net sentiment over time, in buckets chosen from the range (20-200 points)."""
    start, end = cache.window(filters)

    async def compute() -> SentimentSeries:
        interval = choose_interval(start, end)
        series = _histogram(interval.name, start, end, BY_SENTIMENT)
        total, aggs = await _aggregate(index, filters, start, end, {"all": SENTIMENT, "series": series})
        points = [
            SentimentPoint(
                time=_time(b), mentions=b["doc_count"], sentiment=sentiment_counts(_counts(b, "sentiment"))
            )
            for b in _buckets(aggs, "series")
        ]
        totals = sentiment_counts(_counts(aggs, "all"))
        return SentimentSeries(
            start=start, end=end, interval=interval.name, mentions=total, sentiment=totals, points=points
        )

    return await cache.json("sentiment", filters, (start, end), compute)


@router.get("/distribution", response_model=Distribution)
async def read_distribution(filters: Filters, index: MentionsDep, cache: CacheDep) -> Response:
    """Sentiment and emotion totals."""
    start, end = cache.window(filters)

    async def compute() -> Distribution:
        aggs = {"sentiment": SENTIMENT, "emotion": _terms("emotion.label", 4)}
        total, found = await _aggregate(index, filters, start, end, aggs)
        emotion = _counts(found, "emotion")
        emotions = EmotionCounts(**{label: emotion.get(label, 0) for label in EmotionCounts.model_fields})
        return Distribution(
            start=start,
            end=end,
            mentions=total,
            sentiment=sentiment_counts(_counts(found, "sentiment")),
            emotion=emotions,
        )

    return await cache.json("distribution", filters, (start, end), compute)


async def _top_terms(
    index: MentionsIndex, cache: Cache, params: TopParams, name: str, field: str
) -> Response:
    start, end = cache.window(params)

    async def compute() -> TopTerms:
        _, aggs = await _aggregate(
            index, params, start, end, {"top": _terms(field, params.limit, BY_SENTIMENT)}
        )
        return TopTerms(start=start, end=end, items=[_stat(bucket) for bucket in _buckets(aggs, "top")])

    return await cache.json(name, params, (start, end), compute)


def _stat(bucket: dict[str, Any]) -> TermStat:
    sentiment = sentiment_counts(_counts(bucket, "sentiment"))
    return TermStat(key=str(bucket["key"]), mentions=bucket["doc_count"], sentiment=sentiment)


@router.get("/entities", response_model=TopEntities)
async def list_entities(params: Top, index: MentionsDep, cache: CacheDep) -> Response:
    """The entities named most (from the flat `entity_keys`), each with its sentiment split."""
    start, end = cache.window(params)

    async def compute() -> TopEntities:
        aggs = {"top": _terms("entity_keys", params.limit, BY_SENTIMENT)}
        _, found = await _aggregate(index, params, start, end, aggs)
        stats = [_stat(bucket) for bucket in _buckets(found, "top")]
        items = [
            EntityStat(**stat.model_dump(), type=stat.key.partition(":")[0], text=stat.key.partition(":")[2])
            for stat in stats
        ]
        return TopEntities(start=start, end=end, items=items)

    return await cache.json("entities", params, (start, end), compute)


@router.get("/keywords", response_model=TopTerms)
async def list_keywords(params: Top, index: MentionsDep, cache: CacheDep) -> Response:
    """The key phrases seen most, each with its sentiment split."""
    return await _top_terms(index, cache, params, "keywords", "keywords")


@router.get("/sources", response_model=TopTerms)
async def list_sources(params: Top, index: MentionsDep, cache: CacheDep) -> Response:
    """Mentions per source, each with its sentiment split."""
    return await _top_terms(index, cache, params, "sources", "source")


@router.get("/authors", response_model=TopTerms)
async def list_authors(params: Top, index: MentionsDep, cache: CacheDep) -> Response:
    """The authors with the most mentions, each with its sentiment split (reach is not in the documents)."""
    return await _top_terms(index, cache, params, "authors", "author")


@router.get("/share-of-voice", response_model=ShareOfVoice)
async def read_share_of_voice(filters: Filters, index: MentionsDep, cache: CacheDep) -> Response:
    """Each brand's share of the brands' mentions, overall and over time; with `brand` filters, among
    those brands only (a mention naming two brands counts for both)."""
    start, end = cache.window(filters)

    async def compute() -> ShareOfVoice:
        interval = choose_interval(start, end)
        brands = _terms("brand_ids", BRANDS)
        aggs = {"brands": brands, "series": _histogram(interval.name, start, end, {"brands": brands})}
        _, found = await _aggregate(index, filters, start, end, aggs)
        totals = _counts(found, "brands")
        wanted = sorted(set(filters.brand)) if filters.brand else list(totals)  # busiest first
        points = [
            SharePoint(time=_time(bucket), brands=shares(_counts(bucket, "brands"), wanted))
            for bucket in _buckets(found, "series")
        ]
        return ShareOfVoice(
            start=start, end=end, interval=interval.name, brands=shares(totals, wanted), points=points
        )

    return await cache.json("share-of-voice", filters, (start, end), compute)


@router.get("/volume", response_model=Volume)
async def read_volume(
    filters: Filters, index: MentionsDep, cache: CacheDep, settings: SettingsDep
) -> Response:
    """Mentions over time, with spikes: hours above the mean + k standard deviations of the 12 hours
    before (k = BRANDPULSE_VOLUME_SPIKE_SIGMAS), judged for each hour the window touches."""
    start, end = cache.window(filters)
    sigmas = settings.volume_spike_sigmas

    async def compute() -> Volume:
        interval = choose_interval(start, end)
        first_hour = start.replace(minute=0, second=0, microsecond=0)
        baseline = first_hour - BASELINE_HOURS * HOUR
        window = {"range": {"published_at": {"gte": es_time(start), "lt": es_time(end)}}}
        aggs = {
            "window": {"filter": window, "aggs": {"series": _histogram(interval.name, start, end)}},
            "hourly": _histogram("1h", baseline, end),
        }
        _, found = await _aggregate(index, filters, baseline, end, aggs)
        hourly = [(_time(bucket), bucket["doc_count"]) for bucket in _buckets(found, "hourly")]
        flagged = analytics.spikes(hourly, sigmas)
        series = [
            (_time(bucket), bucket["doc_count"]) for bucket in _buckets(found.get("window", {}), "series")
        ]
        return Volume(
            start=start,
            end=end,
            interval=interval.name,
            mentions=found.get("window", {}).get("doc_count", 0),
            sigmas=sigmas,
            points=analytics.volume_points(series, interval, flagged),
            spikes=flagged,
        )

    return await cache.json("volume", filters, (start, end), compute, {"sigmas": sigmas})


async def _trends(
    index: MentionsIndex,
    cache: Cache,
    params: TrendParams,
    name: Literal["trending", "stale"],
    pick: Callable[[dict[str, tuple[int, int]], int, int], list[Trend]],
) -> Response:
    """Terms compared between the window and the one of equal length before it. The candidates are the
    CANDIDATES terms most frequent in the window that matters: now when rising, before when going quiet."""
    start, end = cache.window(params)
    previous_start = start - (end - start)

    async def compute() -> Trends:
        windows = {
            "previous": {
                "filter": {"range": {"published_at": {"gte": es_time(previous_start), "lt": es_time(start)}}}
            },
            "current": {"filter": {"range": {"published_at": {"gte": es_time(start), "lt": es_time(end)}}}},
        }
        rank = {"current" if name == "trending" else "previous": "desc"}
        aggs = {
            field: {"terms": {"field": field, "size": CANDIDATES, "order": rank}, "aggs": windows}
            for field in ("entity_keys", "keywords")
        }
        _, found = await _aggregate(index, params, previous_start, end, aggs)

        def compared(field: str) -> list[Trend]:
            counts = {
                b["key"]: (b["previous"]["doc_count"], b["current"]["doc_count"])
                for b in _buckets(found, field)
            }
            return pick(counts, params.min_count, params.limit)

        entities, keywords = compared("entity_keys"), compared("keywords")
        return Trends(
            previous_start=previous_start, start=start, end=end, entities=entities, keywords=keywords
        )

    return await cache.json(name, params, (start, end), compute)


@router.get("/trending", response_model=Trends)
async def list_trending(params: Trending, index: MentionsDep, cache: CacheDep) -> Response:
    """The entities and keywords rising most in the window against the window of equal length before it,
    by (current - previous) / sqrt(previous + 1); a term needs `min_count` mentions in the window."""
    return await _trends(index, cache, params, "trending", analytics.trending)


@router.get("/stale", response_model=Trends)
async def list_stale(params: Trending, index: MentionsDep, cache: CacheDep) -> Response:
    """The entities and keywords that had at least `min_count` mentions in the window before and at most a
    fifth of that in this one, the biggest drops first."""
    return await _trends(index, cache, params, "stale", analytics.stale)
