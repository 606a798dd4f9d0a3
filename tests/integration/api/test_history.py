"""History (`GET /api/mentions`) and rollups (`GET /api/rollups/hourly`) against what the real workers
stored, each checked against a direct query of the base tables."""

from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.routes.mentions import EnrichmentPublic, MentionsPublic
from brandpulse import clients
from tests.integration.api.seed import Seeded

MAX_PAGES = 200


@pytest.fixture
async def seeded_pg(seeded: Seeded) -> AsyncIterator[AsyncEngine]:
    """An engine on the seeded database (read-only)."""
    engine = clients.postgres_engine(seeded.settings)
    yield engine
    await engine.dispose()


def window(seeded: Seeded) -> dict[str, str]:
    return {
        "since": (seeded.start - timedelta(hours=1)).isoformat(),
        "until": (seeded.end + timedelta(hours=1)).isoformat(),
    }


async def every_page(
    client: httpx.AsyncClient, params: dict[str, Any], size: int = 100
) -> list[dict[str, Any]]:
    """Every mention the history returns for `params`, page by page through the cursor."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page_params = {**params, "size": size} | ({"cursor": cursor} if cursor else {})
        response = await client.get("/api/mentions", params=page_params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["data"]) <= size
        items += body["data"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the cursor never ran out")


async def expected_ids(
    engine: AsyncEngine, seeded: Seeded, condition: str, params: dict[str, Any]
) -> list[str]:
    """Mention ids in the window matching `condition`, newest first, straight from the tables."""
    statement = text(f"""
        SELECT m.id FROM mentions AS m LEFT JOIN enrichments AS e ON e.mention_id = m.id
        WHERE m.published_at >= :since AND m.published_at < :until AND ({condition})
        ORDER BY m.published_at DESC, m.id DESC
    """)
    bounds = {"since": seeded.start - timedelta(hours=1), "until": seeded.end + timedelta(hours=1)}
    async with engine.connect() as connection:
        return [row.id.hex for row in await connection.execute(statement, {**bounds, **params})]


async def most_common(engine: AsyncEngine, expression: str, source: str = "mentions AS m") -> Any:
    async with engine.connect() as connection:
        statement = text(
            f"SELECT {expression} AS v FROM {source} WHERE {expression} IS NOT NULL GROUP BY 1 "
            "ORDER BY count(*) DESC, 1 LIMIT 1"
        )
        return (await connection.execute(statement)).scalar_one()


async def test_paging_walks_every_stored_mention_once_newest_first(
    seeded_client: httpx.AsyncClient, seeded_pg: AsyncEngine, seeded: Seeded
) -> None:
    items = await every_page(seeded_client, window(seeded), size=37)
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids))
    assert ids == await expected_ids(seeded_pg, seeded, "TRUE", {})
    assert len(ids) == len(seeded.published)


async def test_each_item_carries_its_brands_and_enrichment(
    seeded_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await seeded_client.get("/api/mentions", params={**window(seeded), "size": 100})
    page = MentionsPublic.model_validate_json(response.content)  # the documented shape, built in SQL
    assert len(page.data) == 100
    published = {mention.id: mention for mention in seeded.published}
    for item, parsed in zip(response.json()["data"], page.data, strict=True):
        mention = published[item["id"]]
        assert item["brand_ids"] == list(mention.brand_ids)
        for name in ("source", "external_id", "url", "title", "text", "author", "lang"):
            assert item[name] == getattr(mention, name), name
        assert parsed.published_at == mention.published_at
        assert parsed.fetched_at == mention.fetched_at
        assert item["enrichment"] is not None
        assert set(item["enrichment"]) == set(EnrichmentPublic.model_fields)
        assert item["sentiment"] == item["enrichment"]["sentiment_label"]
        assert item["correction"] is None


ENTITY_KEY = "(x->>'type') || ':' || (x->>'text')"
FILTERS = {  # name -> (how to pick a value from the data, query params, the condition that must hold)
    "brand": (
        "brand",
        "EXISTS (SELECT FROM mention_brands AS b WHERE b.mention_id = m.id AND b.brand_id = :v)",
    ),
    "source": ("source", "m.source = :v"),
    "author": ("author", "m.author = :v"),
    "sentiment": ("sentiment", "e.sentiment_label = :v"),
    "emotion": ("emotion", "e.emotion_label = :v"),
    "entity": (
        "entity",
        f"EXISTS (SELECT FROM jsonb_array_elements(e.entities) AS x WHERE {ENTITY_KEY} = :v)",
    ),
}
PICKS = {
    "brand": ("mb.brand_id", "mention_brands AS mb"),
    "source": ("m.source", "mentions AS m"),
    "author": ("m.author", "mentions AS m"),
    "sentiment": ("e.sentiment_label", "enrichments AS e"),
    "emotion": ("e.emotion_label", "enrichments AS e"),
    "entity": (
        "(x->>'type') || ':' || (x->>'text')",
        "enrichments AS e, jsonb_array_elements(e.entities) AS x",
    ),
}


@pytest.mark.parametrize("name", sorted(FILTERS))
async def test_each_filter_returns_exactly_the_matching_mentions(
    name: str, seeded_client: httpx.AsyncClient, seeded_pg: AsyncEngine, seeded: Seeded
) -> None:
    param, condition = FILTERS[name]
    value = await most_common(seeded_pg, *PICKS[name])
    expected = await expected_ids(seeded_pg, seeded, condition, {"v": value})
    assert 0 < len(expected) < len(seeded.published)
    items = await every_page(seeded_client, {**window(seeded), param: value})
    assert [item["id"] for item in items] == expected


async def test_the_language_filter(
    seeded_client: httpx.AsyncClient, seeded_pg: AsyncEngine, seeded: Seeded
) -> None:  # every simulated mention is English: a language nobody wrote in must match nothing
    english = await expected_ids(seeded_pg, seeded, "m.lang = 'en'", {})
    assert english
    assert [
        item["id"] for item in await every_page(seeded_client, {**window(seeded), "lang": "en"})
    ] == english
    assert await every_page(seeded_client, {**window(seeded), "lang": "de"}) == []
    both = await every_page(seeded_client, {**window(seeded), "lang": ["de", "en"]})
    assert [item["id"] for item in both] == english


async def test_several_brands_with_a_sentiment_page_without_repeats(
    seeded_client: httpx.AsyncClient, seeded_pg: AsyncEngine, seeded: Seeded
) -> None:
    brand_ids = [brand.id for brand in seeded.brands[:2]]
    condition = (
        "e.sentiment_label = 'negative' AND EXISTS (SELECT FROM mention_brands AS b "
        "WHERE b.mention_id = m.id AND b.brand_id = ANY(:brands))"
    )
    expected = await expected_ids(seeded_pg, seeded, condition, {"brands": brand_ids})
    params = {**window(seeded), "brand": brand_ids, "sentiment": "negative"}
    items = await every_page(seeded_client, params, size=10)
    assert [item["id"] for item in items] == expected
    assert any(len(set(item["brand_ids"]) & set(brand_ids)) == 2 for item in items)  # in both, listed once


async def test_the_window_bounds_the_history(
    seeded_client: httpx.AsyncClient, seeded_pg: AsyncEngine, seeded: Seeded
) -> None:
    middle = seeded.start + (seeded.end - seeded.start) / 2
    params = {"since": middle.isoformat(), "until": seeded.end.isoformat()}
    items = await every_page(seeded_client, params)
    assert items
    assert all(middle <= datetime.fromisoformat(item["published_at"]) < seeded.end for item in items)
    async with seeded_pg.connect() as connection:
        statement = "SELECT count(*) FROM mentions WHERE published_at >= :a AND published_at < :b"
        count = (await connection.execute(text(statement), {"a": middle, "b": seeded.end})).scalar()
    assert len(items) == count


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": "Acme"}, "unsupported_filter"),
        ({"size": 101}, "invalid_size"),
        ({"size": 0}, "invalid_request"),
        ({"cursor": "bm90LWEtY3Vyc29y"}, "invalid_cursor"),
        ({"cursor": "%%%"}, "invalid_cursor"),
        ({"last": "24h", "since": "2025-01-01T00:00:00Z"}, "invalid_range"),
        ({"bogus": "1"}, "invalid_request"),
    ],
)
async def test_bad_history_requests_are_400(
    params: dict[str, Any], code: str, seeded_client: httpx.AsyncClient
) -> None:
    response = await seeded_client.get("/api/mentions", params=params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


async def test_a_nul_character_in_a_filter_is_a_400_not_a_500(seeded_client: httpx.AsyncClient) -> None:
    for name in ("author", "entity"):
        response = await seeded_client.get("/api/mentions", params={name: "a\x00b"})
        assert response.status_code == 400, response.text


RECOUNT = text("""
SELECT mb.brand_id, date_trunc('hour', mb.published_at, 'UTC') AS hour, mb.source,
       count(*) AS mentions,
       count(*) FILTER (WHERE coalesce(c.label, e.sentiment_label) = 'positive') AS positive,
       count(*) FILTER (WHERE coalesce(c.label, e.sentiment_label) = 'neutral') AS neutral,
       count(*) FILTER (WHERE coalesce(c.label, e.sentiment_label) = 'negative') AS negative,
       avg(e.sentiment_score) AS sentiment_score_mean,
       count(DISTINCT mb.author) AS unique_authors
FROM mention_brands AS mb
LEFT JOIN enrichments AS e ON e.mention_id = mb.mention_id
LEFT JOIN sentiment_corrections AS c ON c.mention_id = mb.mention_id
GROUP BY 1, 2, 3
""")
COUNTS = ("mentions", "positive", "neutral", "negative", "unique_authors")


async def recount(engine: AsyncEngine) -> dict[tuple[int, datetime, str], dict[str, Any]]:
    async with engine.connect() as connection:
        rows = await connection.execute(RECOUNT)
        return {(row.brand_id, row.hour, row.source): row._asdict() for row in rows}


def by_key(data: list[dict[str, Any]]) -> dict[tuple[int, datetime, str], dict[str, Any]]:
    return {(row["brand_id"], datetime.fromisoformat(row["start"]), row["source"]): row for row in data}


async def test_hourly_rollups_equal_a_recount_of_the_base_tables(
    seeded_client: httpx.AsyncClient, seeded_pg: AsyncEngine, seeded: Seeded
) -> None:
    response = await seeded_client.get("/api/rollups/hourly", params=window(seeded))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["interval"] == "hour"
    got, expected = by_key(body["data"]), await recount(seeded_pg)
    assert got.keys() == expected.keys()
    assert sum(row["mentions"] for row in got.values()) >= len(seeded.published)
    for key, row in expected.items():
        assert {name: got[key][name] for name in COUNTS} == {name: row[name] for name in COUNTS}, key
        assert got[key]["sentiment_score_mean"] == pytest.approx(row["sentiment_score_mean"])
    keys = [(row["brand_id"], row["start"], row["source"]) for row in body["data"]]
    assert keys == sorted(keys)


async def test_daily_rollups_sum_the_hours(seeded_client: httpx.AsyncClient, seeded: Seeded) -> None:
    hourly = (await seeded_client.get("/api/rollups/hourly", params=window(seeded))).json()["data"]
    response = await seeded_client.get("/api/rollups/hourly", params={**window(seeded), "interval": "day"})
    assert response.status_code == 200, response.text
    body = response.json()
    sums: dict[tuple[int, datetime, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in hourly:
        start = datetime.fromisoformat(row["start"])
        day = sums[(row["brand_id"], start.replace(hour=0), row["source"])]
        labelled = row["positive"] + row["neutral"] + row["negative"]
        for name in ("mentions", "positive", "neutral", "negative"):
            day[name] += row[name]
        day["score_sum"] += (row["sentiment_score_mean"] or 0.0) * labelled
        day["labelled"] += labelled if row["sentiment_score_mean"] is not None else 0
    days = by_key(body["data"])
    assert days.keys() == sums.keys()
    assert len(days) < len(hourly)
    for key, row in days.items():
        expected = sums[key]
        assert [row[n] for n in ("mentions", "positive", "neutral", "negative")] == [
            expected[n] for n in ("mentions", "positive", "neutral", "negative")
        ]
        labelled = expected["labelled"]
        assert row["sentiment_score_mean"] == (
            pytest.approx(expected["score_sum"] / labelled) if labelled else None
        )
        assert row["unique_authors"] is None
        assert key[1].hour == 0
        assert key[1].tzinfo is not None
        assert key[1].utcoffset() == timedelta(0)


async def test_rollups_filter_by_brand_and_source(
    seeded_client: httpx.AsyncClient, seeded_pg: AsyncEngine, seeded: Seeded
) -> None:
    brand_id, source = seeded.brands[1].id, await most_common(seeded_pg, "m.source")
    params = {**window(seeded), "brand": brand_id, "source": source}
    got = by_key((await seeded_client.get("/api/rollups/hourly", params=params)).json()["data"])
    expected = {
        key: row for key, row in (await recount(seeded_pg)).items() if key[0] == brand_id and key[2] == source
    }
    assert got
    assert {key: row["mentions"] for key, row in got.items()} == {
        key: row["mentions"] for key, row in expected.items()
    }


async def test_the_rollup_window_widens_to_whole_buckets(
    seeded_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    since = (seeded.end - timedelta(hours=5)).replace(minute=30, second=0, microsecond=0)
    until = since + timedelta(hours=2)
    params = {"since": since.isoformat(), "until": until.isoformat()}
    body = (await seeded_client.get("/api/rollups/hourly", params=params)).json()
    assert datetime.fromisoformat(body["since"]) == since.replace(minute=0)
    assert datetime.fromisoformat(body["until"]) == until.replace(minute=0) + timedelta(hours=1)
    starts = {datetime.fromisoformat(row["start"]) for row in body["data"]}
    assert starts == {since.replace(minute=0) + timedelta(hours=n) for n in range(3)}
    day = (await seeded_client.get("/api/rollups/hourly", params={**params, "interval": "day"})).json()
    assert datetime.fromisoformat(day["since"]) == since.replace(hour=0, minute=0)
    assert datetime.fromisoformat(day["since"]).tzinfo is not None


@pytest.mark.parametrize(
    "params",
    [
        {"interval": "week"},
        {"since": "2020-01-01T00:00:00Z", "until": "2025-01-01T00:00:00Z"},
        {"last": "7x"},
        {"brand": "0"},
        {"interval": "hour", "last": "60d"},
    ],
)
async def test_bad_rollup_requests_are_400(params: dict[str, str], seeded_client: httpx.AsyncClient) -> None:
    response = await seeded_client.get("/api/rollups/hourly", params=params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid_request", "invalid_range"}


@pytest.mark.parametrize(
    ("last", "interval"), [("24h", "hour"), ("7d", "hour"), ("8d", "day"), ("90d", "day")]
)
async def test_the_default_interval_follows_the_range(
    last: str, interval: str, seeded_client: httpx.AsyncClient
) -> None:
    body = (await seeded_client.get("/api/rollups/hourly", params={"last": last})).json()
    assert body["interval"] == interval
    assert all(datetime.fromisoformat(row["start"]).hour == 0 for row in body["data"]) or interval == "hour"


async def test_rollups_of_an_empty_range_are_empty(seeded_client: httpx.AsyncClient) -> None:
    until = datetime(2001, 1, 2, tzinfo=UTC)
    params = {"since": (until - timedelta(days=1)).isoformat(), "until": until.isoformat()}
    response = await seeded_client.get("/api/rollups/hourly", params=params)
    assert response.status_code == 200
    assert response.json()["data"] == []
