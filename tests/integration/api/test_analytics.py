"""`/api/elastic/analytics/*` on the mentions the real pipeline wrote, each checked against a recount:
from what was published (`seeded.published`) or from direct Elasticsearch counts written here."""

import itertools
import statistics
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from math import sqrt
from typing import Any

import httpx
import pytest
from elasticsearch import AsyncElasticsearch
from pydantic import SecretStr
from redis.asyncio import Redis

from api.cache import Cache
from api.filters import MentionFilters
from api.main import create_app
from tests.integration.api.seed import Seeded
from tests.integration.api.test_search import everything

ANALYTICS = "/api/elastic/analytics"
QUARTER = timedelta(minutes=15)
HOUR = timedelta(hours=1)


def window(params: dict[str, str]) -> dict[str, Any]:
    return {"range": {"published_at": {"gte": params["since"], "lt": params["until"]}}}


async def es_count(es: AsyncElasticsearch, seeded: Seeded, *clauses: dict[str, Any]) -> int:
    found = await es.count(index=seeded.settings.es_alias, query={"bool": {"filter": list(clauses)}})
    count: int = found["count"]
    return count


async def es_terms(
    es: AsyncElasticsearch, seeded: Seeded, field: str, *clauses: dict[str, Any]
) -> Counter[str]:
    """Every value of `field` with its mentions, by a direct terms aggregation."""
    found = await es.search(
        index=seeded.settings.es_alias,
        size=0,
        query={"bool": {"filter": list(clauses)}},
        aggs={"values": {"terms": {"field": field, "size": 10_000}}},
    )
    return Counter({b["key"]: b["doc_count"] for b in found["aggregations"]["values"]["buckets"]})


async def get(client: httpx.AsyncClient, endpoint: str, params: dict[str, Any]) -> dict[str, Any]:
    response = await client.get(f"{ANALYTICS}/{endpoint}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def published_between(seeded: Seeded, start: datetime, end: datetime) -> list[Any]:
    return [m for m in seeded.published if start <= m.published_at < end]


async def test_sentiment_over_time(
    seeded_client: httpx.AsyncClient, seeded: Seeded, es: AsyncElasticsearch
) -> None:
    params = everything(seeded)
    body = await get(seeded_client, "sentiment", params)
    assert body["interval"] == "15m"  # 48 h and 2 minutes: 193 points
    points = body["points"]
    assert 20 <= len(points) <= 200
    times = [datetime.fromisoformat(p["time"]) for p in points]
    assert all(later - earlier == QUARTER for earlier, later in itertools.pairwise(times))
    assert body["mentions"] == sum(p["mentions"] for p in points) == len(seeded.published)
    for label in ("positive", "neutral", "negative"):
        expected = await es_count(es, seeded, window(params), {"term": {"sentiment.label": label}})
        assert body["sentiment"][label] == sum(p["sentiment"][label] for p in points) == expected
    positive, negative = body["sentiment"]["positive"], body["sentiment"]["negative"]
    assert body["sentiment"]["net_sentiment"] == pytest.approx((positive - negative) / (positive + negative))
    busiest = max(points, key=lambda p: p["mentions"])
    start = datetime.fromisoformat(busiest["time"])
    assert busiest["mentions"] == len(published_between(seeded, start, start + QUARTER))
    bucket = {"range": {"published_at": {"gte": start.isoformat(), "lt": (start + QUARTER).isoformat()}}}
    negatives = await es_count(es, seeded, bucket, {"term": {"sentiment.label": "negative"}})
    assert busiest["sentiment"]["negative"] == negatives


async def test_sentiment_takes_the_filters(seeded_client: httpx.AsyncClient, seeded: Seeded) -> None:
    brand = seeded.brands[1].id
    body = await get(seeded_client, "sentiment", {**everything(seeded), "brand": brand, "source": "x"})
    expected = sum(brand in m.brand_ids and m.source == "x" for m in seeded.published)
    assert body["mentions"] == sum(p["mentions"] for p in body["points"]) == expected > 0


async def test_distribution(seeded_client: httpx.AsyncClient, seeded: Seeded, es: AsyncElasticsearch) -> None:
    params = everything(seeded)
    body = await get(seeded_client, "distribution", params)
    assert body["mentions"] == len(seeded.published)
    for label, count in body["sentiment"].items():
        if label != "net_sentiment":
            assert count == await es_count(es, seeded, window(params), {"term": {"sentiment.label": label}})
    for label, count in body["emotion"].items():
        assert count == await es_count(es, seeded, window(params), {"term": {"emotion.label": label}})
    assert sum(body["emotion"].values()) > 0


async def test_top_entities_with_their_sentiment(
    seeded_client: httpx.AsyncClient, seeded: Seeded, es: AsyncElasticsearch
) -> None:
    params = everything(seeded)
    body = await get(seeded_client, "entities", {**params, "limit": 8})
    counts = await es_terms(es, seeded, "entity_keys", window(params))
    assert [item["mentions"] for item in body["items"]] == sorted(counts.values(), reverse=True)[:8]
    for item in body["items"]:
        assert item["mentions"] == counts[item["key"]]
        assert f"{item['type']}:{item['text']}" == item["key"]
    for item in body["items"][:3]:
        entity = {"term": {"entity_keys": item["key"]}}
        for label in ("positive", "neutral", "negative"):
            label_clause = {"term": {"sentiment.label": label}}
            assert item["sentiment"][label] == await es_count(
                es, seeded, window(params), entity, label_clause
            )


async def test_top_keywords(seeded_client: httpx.AsyncClient, seeded: Seeded, es: AsyncElasticsearch) -> None:
    params = everything(seeded)
    body = await get(seeded_client, "keywords", {**params, "limit": 10, "sentiment": "negative"})
    negative = {"term": {"sentiment.label": "negative"}}
    counts = await es_terms(es, seeded, "keywords", window(params), negative)
    assert [item["mentions"] for item in body["items"]] == sorted(counts.values(), reverse=True)[:10]
    assert all(item["mentions"] == counts[item["key"]] for item in body["items"])
    assert all(item["sentiment"]["negative"] == item["mentions"] for item in body["items"])


async def test_sources_and_authors(seeded_client: httpx.AsyncClient, seeded: Seeded) -> None:
    params = everything(seeded)
    sources = await get(seeded_client, "sources", params)
    assert {i["key"]: i["mentions"] for i in sources["items"]} == Counter(m.source for m in seeded.published)
    authors = await get(seeded_client, "authors", {**params, "limit": 15})
    counts = Counter(m.author for m in seeded.published if m.author)
    assert [item["mentions"] for item in authors["items"]] == sorted(counts.values(), reverse=True)[:15]
    assert all(item["mentions"] == counts[item["key"]] for item in authors["items"])
    assert len(authors["items"]) == 15


async def test_share_of_voice(seeded_client: httpx.AsyncClient, seeded: Seeded) -> None:
    params = everything(seeded)
    body = await get(seeded_client, "share-of-voice", params)
    counts = Counter(brand for m in seeded.published for brand in m.brand_ids)
    assert {b["brand_id"]: b["mentions"] for b in body["brands"]} == counts
    assert sum(b["share"] for b in body["brands"]) == pytest.approx(1.0)
    for brand in body["brands"]:
        assert brand["share"] == pytest.approx(counts[brand["brand_id"]] / counts.total())
        over_time = [
            b["mentions"] for p in body["points"] for b in p["brands"] if b["brand_id"] == brand["brand_id"]
        ]
        assert sum(over_time) == brand["mentions"]
    busiest = max(body["points"], key=lambda p: sum(b["mentions"] for b in p["brands"]))
    start = datetime.fromisoformat(busiest["time"])
    in_bucket = Counter(b for m in published_between(seeded, start, start + QUARTER) for b in m.brand_ids)
    assert {b["brand_id"]: b["mentions"] for b in busiest["brands"]} == {b: in_bucket[b] for b in counts}


async def test_share_of_voice_among_the_brands_asked_for(
    seeded_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    first, second = sorted(brand.id for brand in seeded.brands)[:2]
    body = await get(seeded_client, "share-of-voice", {**everything(seeded), "brand": [second, first]})
    counts = Counter(b for m in seeded.published for b in m.brand_ids if b in {first, second})
    assert [(b["brand_id"], b["mentions"]) for b in body["brands"]] == [
        (first, counts[first]),
        (second, counts[second]),
    ]
    assert body["brands"][0]["share"] == pytest.approx(counts[first] / (counts[first] + counts[second]))


def expected_spikes(seeded: Seeded, start: datetime, end: datetime, sigmas: float) -> list[datetime]:
    """The spike hours recounted from what was published: each hour from the one holding `start`
    against the 12 before it."""
    first = start.replace(minute=0, second=0, microsecond=0)
    hours = []
    hour = first - 12 * HOUR
    while hour < end:  # the last hour counts up to `end` only
        hours.append((hour, len(published_between(seeded, hour, min(hour + HOUR, end)))))
        hour += HOUR
    flagged = []
    for at in range(12, len(hours)):
        before = [count for _, count in hours[at - 12 : at]]
        if hours[at][1] > statistics.fmean(before) + sigmas * statistics.pstdev(before):
            flagged.append(hours[at][0])
    return flagged


@pytest.fixture
async def client_with_sigmas(seeded: Seeded) -> AsyncIterator[httpx.AsyncClient]:
    """A client on the seeded data with spikes at one standard deviation (more of them to check)."""
    settings = seeded.settings.model_copy(update={"volume_spike_sigmas": 1.0, "api_keys": [SecretStr("k")]})
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as http,
    ):
        yield http


@pytest.mark.parametrize("sigmas", [1.0, None])
async def test_volume_with_spikes(
    seeded_client: httpx.AsyncClient,
    client_with_sigmas: httpx.AsyncClient,
    seeded: Seeded,
    sigmas: float | None,
) -> None:
    client = client_with_sigmas if sigmas else seeded_client
    k = sigmas or seeded.settings.volume_spike_sigmas
    since, until = seeded.start + 6 * HOUR + timedelta(minutes=20), seeded.end - 3 * HOUR
    globex = next(brand for brand in seeded.brands if brand.slug == "globex")
    params = {"since": since.isoformat(), "until": until.isoformat(), "q": globex.query}
    body = await get(client, "volume", params)
    assert body["sigmas"] == k
    assert body["mentions"] == sum(p["mentions"] for p in body["points"])
    search = await client.get("/api/elastic/search", params={**params, "size": 1})
    assert body["mentions"] == search.json()["total"]
    named = [m for m in seeded.published if globex.id in m.brand_ids]  # its query matched (test_search)
    only = Seeded(seeded.settings, seeded.brands, named, seeded.start, seeded.end)
    spikes = [datetime.fromisoformat(s["hour"]) for s in body["spikes"]]
    assert spikes == expected_spikes(only, since, until, k)
    if sigmas == 1.0:
        assert spikes
    length = timedelta(minutes=int(body["interval"][:-1])) if body["interval"].endswith("m") else HOUR
    for point in body["points"]:
        start = datetime.fromisoformat(point["time"])
        assert point["spike"] == any(start < s + HOUR and s < start + length for s in spikes)


async def test_volume_counts_over_time(seeded_client: httpx.AsyncClient, seeded: Seeded) -> None:
    body = await get(seeded_client, "volume", everything(seeded))
    assert body["interval"] == "15m"
    assert body["mentions"] == sum(p["mentions"] for p in body["points"]) == len(seeded.published)
    for point in body["points"][::17]:
        start = datetime.fromisoformat(point["time"])
        assert point["mentions"] == len(published_between(seeded, start, start + QUARTER))


def rising(
    previous: Counter[str], current: Counter[str], min_count: int, limit: int
) -> list[tuple[str, int, int]]:
    """Trending restated: up, at least `min_count` now, by (current - previous) / sqrt(previous + 1)."""
    keys = [k for k in current if current[k] > previous[k] and current[k] >= min_count]
    keys.sort(key=lambda k: (-(current[k] - previous[k]) / sqrt(previous[k] + 1), -current[k], k))
    return [(k, previous[k], current[k]) for k in keys[:limit]]


def quiet(
    previous: Counter[str], current: Counter[str], min_count: int, limit: int
) -> list[tuple[str, int, int]]:
    """Stale restated: at least `min_count` before, at most a fifth of that now, biggest drop first."""
    keys = [k for k in previous if previous[k] >= min_count and current[k] * 5 <= previous[k]]
    keys.sort(key=lambda k: ((current[k] - previous[k]) / sqrt(previous[k] + 1), -previous[k], k))
    return [(k, previous[k], current[k]) for k in keys[:limit]]


async def windows_recount(
    es: AsyncElasticsearch, seeded: Seeded, field: str, since: datetime, until: datetime
) -> tuple[Counter[str], Counter[str]]:
    previous_since = since - (until - since)
    before = {"range": {"published_at": {"gte": previous_since.isoformat(), "lt": since.isoformat()}}}
    now = {"range": {"published_at": {"gte": since.isoformat(), "lt": until.isoformat()}}}
    return await es_terms(es, seeded, field, before), await es_terms(es, seeded, field, now)


def listed(trends: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    return [(t["key"], t["previous"], t["current"]) for t in trends]


@pytest.mark.parametrize(
    ("since_after_start", "length"),
    [(timedelta(0), timedelta(hours=24)), (timedelta(hours=30), timedelta(hours=6))],
)
async def test_trending(
    seeded_client: httpx.AsyncClient,
    seeded: Seeded,
    es: AsyncElasticsearch,
    since_after_start: timedelta,
    length: timedelta,
) -> None:
    since = seeded.start + since_after_start
    until = since + length
    params = {"since": since.isoformat(), "until": until.isoformat(), "limit": 12, "min_count": 3}
    body = await get(seeded_client, "trending", params)
    assert datetime.fromisoformat(body["previous_start"]) == since - length
    for name, field in (("entities", "entity_keys"), ("keywords", "keywords")):
        previous, current = await windows_recount(es, seeded, field, since, until)
        assert listed(body[name]) == rising(previous, current, 3, 12)
        assert body[name]
    if not since_after_start:  # nothing before the data: everything is new, ranked by its count
        assert all(t["previous"] == 0 and t["score"] == t["current"] for t in body["entities"])


async def test_stale(seeded_client: httpx.AsyncClient, seeded: Seeded, es: AsyncElasticsearch) -> None:
    since, until = seeded.end - 2 * HOUR, seeded.end + 22 * HOUR  # the data ends 2 hours into the window
    params = {"since": since.isoformat(), "until": until.isoformat(), "limit": 10, "min_count": 5}
    body = await get(seeded_client, "stale", params)
    for name, field in (("entities", "entity_keys"), ("keywords", "keywords")):
        previous, current = await windows_recount(es, seeded, field, since, until)
        expected = quiet(previous, current, 5, 10)
        assert expected
        assert listed(body[name]) == expected


async def test_a_second_call_is_a_cache_hit_with_the_same_body(
    seeded_client: httpx.AsyncClient, seeded: Seeded, redis: Redis
) -> None:
    params = {**everything(seeded), "q": "acme OR initech", "sentiment": ["negative", "positive"]}
    timings = {}
    for endpoint in ("sentiment", "entities", "trending", "share-of-voice", "volume"):
        started = time.perf_counter()
        first = await seeded_client.get(f"{ANALYTICS}/{endpoint}", params=params)
        missed = time.perf_counter() - started
        started = time.perf_counter()
        second = await seeded_client.get(f"{ANALYTICS}/{endpoint}", params=params)
        hit = time.perf_counter() - started
        assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
        assert second.content == first.content
        timings[endpoint] = (missed * 1000, hit * 1000)
    reordered = {**params, "sentiment": ["positive", "negative", "positive"], "q": "acme  OR initech"}
    again = await seeded_client.get(f"{ANALYTICS}/sentiment", params=reordered)
    assert again.headers["x-cache"] == "hit"
    other = await seeded_client.get(f"{ANALYTICS}/sentiment", params={**params, "sentiment": "negative"})
    assert other.headers["x-cache"] == "miss"
    filters = MentionFilters.model_validate(params)
    key = Cache(redis, seeded.settings).key("sentiment", filters, filters.window(seeded.settings))
    assert 0 < await redis.pttl(key) <= seeded.settings.api_cache_ttl_s * 1000
    print("\ncache miss vs hit (ms):", {e: f"{m:.1f} vs {h:.1f}" for e, (m, h) in timings.items()})


async def test_last_24h_stays_cacheable(seeded_client: httpx.AsyncClient, seeded: Seeded) -> None:
    params = {"last": "24h", "source": ["x", "blog"], "emotion": "joy"}
    first = await seeded_client.get(f"{ANALYTICS}/distribution", params=params)
    second = await seeded_client.get(f"{ANALYTICS}/distribution", params=params)
    end = datetime.fromisoformat(first.json()["end"])
    assert end.timestamp() % seeded.settings.api_cache_ttl_s == 0
    assert end - datetime.fromisoformat(first.json()["start"]) == timedelta(hours=24)
    assert (first.headers["x-cache"], second.headers["x-cache"]) in {("miss", "hit"), ("miss", "stale")}
    assert second.content == first.content  # the same window, or the previous one across a TTL boundary
    expected = sum(
        m.source in {"x", "blog"} and end - timedelta(hours=24) <= m.published_at for m in seeded.published
    )
    assert first.json()["mentions"] <= expected  # only the joyful ones
    assert first.json()["emotion"]["joy"] == first.json()["mentions"] > 0


async def test_every_endpoint_needs_a_valid_query(seeded_client: httpx.AsyncClient) -> None:
    for endpoint in ("sentiment", "distribution", "entities", "keywords", "sources", "authors",
                     "share-of-voice", "volume", "trending", "stale"):  # fmt: skip
        response = await seeded_client.get(f"{ANALYTICS}/{endpoint}", params={"q": "(acme"})
        assert response.status_code == 400
        assert response.json()["error"]["details"] == {"position": 0}
        bad_range = await seeded_client.get(f"{ANALYTICS}/{endpoint}", params={"last": "1y"})
        assert bad_range.status_code == 400
        assert bad_range.json()["error"]["code"] == "invalid_range"


async def test_an_alias_without_an_index_answers_nothing_found(client: httpx.AsyncClient) -> None:
    volume = await get(client, "volume", {"last": "24h"})
    assert (volume["mentions"], volume["points"], volume["spikes"]) == (0, [], [])
    search = await client.get("/api/elastic/search", params={"q": "acme"})
    assert (search.status_code, search.json()["total"], search.json()["hits"]) == (200, 0, [])
