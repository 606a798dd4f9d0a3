"""Search, one mention and the CSV export, on the mentions the real pipeline wrote (read-only).

Expected values come from what was published (`seeded.published`) or from direct Elasticsearch counts
written here, never from the API's own query builder.
"""

import base64
import csv
import io
import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from elasticsearch import AsyncElasticsearch

from api.main import create_app
from api.routes.search import safe_cell
from brandpulse.brand_query import QuerySyntaxError, parse
from brandpulse.contract import Emotion, Enrichment, Entity, Mention, Sentiment
from brandpulse.es_indices import ensure_indices, single_index_name
from brandpulse.settings import Settings
from tests.integration.api.seed import Seeded
from workers.elastic.documents import document

SEARCH = "/api/elastic/search"
MARK = re.compile(r"<mark>(.*?)</mark>")


def everything(seeded: Seeded) -> dict[str, str]:
    """A window holding every seeded mention."""
    start, end = seeded.start - timedelta(minutes=1), seeded.end + timedelta(minutes=1)
    return {"since": start.isoformat(), "until": end.isoformat()}


async def page_through(client: httpx.AsyncClient, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every hit of a search, following `next_cursor` to the end."""
    hits: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = await client.get(SEARCH, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        hits += page["hits"]
        cursor = page["next_cursor"]
        if cursor is None:
            return hits
        assert len(page["hits"]) == params["size"]


async def es_count(es: AsyncElasticsearch, seeded: Seeded, *clauses: dict[str, Any]) -> int:
    """Mentions in the seeded index matching every clause (a direct count, not the API's query)."""
    found = await es.count(index=seeded.settings.es_alias, query={"bool": {"filter": list(clauses)}})
    count: int = found["count"]
    return count


async def test_paging_newest_first_returns_every_mention_once_in_order(
    seeded_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    params = {**everything(seeded), "sort": "newest", "size": 100}
    hits = await page_through(seeded_client, params)
    ids = [hit["mention_id"] for hit in hits]
    assert len(ids) > 1000
    assert len(ids) == len(set(ids)) == len(seeded.published)
    assert set(ids) == {mention.id for mention in seeded.published}
    times = [(datetime.fromisoformat(hit["published_at"]), hit["mention_id"]) for hit in hits]
    assert times == sorted(times, reverse=True)
    assert all(hit["score"] is None for hit in hits)


async def test_paging_by_relevance_returns_every_match_once(
    seeded_client: httpx.AsyncClient, seeded: Seeded, es: AsyncElasticsearch
) -> None:
    brands = [brand for brand in seeded.brands if brand.slug in {"acme", "globex"}]
    query = " OR ".join(f"({brand.query})" for brand in brands)
    hits = await page_through(seeded_client, {**everything(seeded), "q": query, "size": 50})
    ids = [hit["mention_id"] for hit in hits]
    expected = {m.id for m in seeded.published if {b.id for b in brands} & set(m.brand_ids)}
    assert len(expected) > 500
    scores = [hit["score"] for hit in hits]
    if (len(ids) != len(set(ids)) or set(ids) != expected) and (await es.info())["name"] == "noida-db":
        pytest.xfail(
            "the local ES-API server compares a search_after _score at a precision other than the one it"
            " returns, so relevance pages skip and repeat hits of equal score; real Elasticsearch does not"
        )
    assert len(ids) == len(set(ids))
    assert set(ids) == expected
    assert scores == sorted(scores, reverse=True)


async def test_relevance_without_a_query_is_newest_first(
    seeded_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await seeded_client.get(SEARCH, params={**everything(seeded), "size": 50})
    page = response.json()
    assert page["sort"] == "newest"
    times = [hit["published_at"] for hit in page["hits"]]
    assert times == sorted(times, reverse=True)
    assert page["total"] == len(seeded.published)


async def test_a_brand_query_finds_what_the_brand_matcher_attributed(
    seeded_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    for brand in seeded.brands:
        response = await seeded_client.get(SEARCH, params={**everything(seeded), "q": brand.query, "size": 1})
        expected = sum(brand.id in mention.brand_ids for mention in seeded.published)
        assert expected > 0
        assert response.json()["total"] == expected, brand.query


async def test_relevance_pages_are_scored_and_highlighted(
    seeded_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await seeded_client.get(SEARCH, params={**everything(seeded), "q": "globex", "size": 40})
    page = response.json()
    assert page["sort"] == "relevance"
    scores = [hit["score"] for hit in page["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)
    for hit in page["hits"]:
        snippets = [hit["highlight"]["title"] or "", *hit["highlight"]["text"]]
        marked = {word.lower() for snippet in snippets for word in MARK.findall(snippet)}
        assert marked == {"globex"}, snippets


async def test_a_phrase_and_an_exclusion(seeded_client: httpx.AsyncClient, seeded: Seeded) -> None:
    words = [m for m in seeded.published if "battery life" in f"{m.title} {m.text}".lower()]
    assert words
    phrase = await seeded_client.get(SEARCH, params={**everything(seeded), "q": '"battery life"', "size": 1})
    assert phrase.json()["total"] == len(words)
    globex = sum("globex" in f"{m.title} {m.text}".lower() for m in seeded.published)
    both = sum("globex" in f"{m.title} {m.text}".lower() for m in words)
    without = await seeded_client.get(
        SEARCH, params={**everything(seeded), "q": 'globex -"battery life"', "size": 1}
    )
    assert without.json()["total"] == globex - both


def published_where(seeded: Seeded, keep: Any) -> list[Mention]:
    return [mention for mention in seeded.published if keep(mention)]


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"source": ["x", "news"]}, lambda m: m.source in {"x", "news"}),
        ({"lang": ["en"]}, lambda m: m.lang == "en"),
        ({"source": ["reddit"], "lang": ["en"]}, lambda m: m.source == "reddit" and m.lang == "en"),
    ],
)
async def test_source_and_language_filters(
    seeded_client: httpx.AsyncClient, seeded: Seeded, params: dict[str, Any], keep: Any
) -> None:
    expected = {mention.id for mention in published_where(seeded, keep)}
    hits = await page_through(seeded_client, {**everything(seeded), **params, "size": 100})
    assert {hit["mention_id"] for hit in hits} == expected
    assert len(hits) == len(expected)


async def test_brand_filter_is_any_of_the_brands(seeded_client: httpx.AsyncClient, seeded: Seeded) -> None:
    first, second = seeded.brands[0].id, seeded.brands[1].id
    for brands in ([first], [first, second]):
        expected = sum(bool(set(brands) & set(m.brand_ids)) for m in seeded.published)
        response = await seeded_client.get(SEARCH, params={**everything(seeded), "brand": brands, "size": 5})
        page = response.json()
        assert page["total"] == expected
        assert all(set(brands) & set(hit["brand_ids"]) for hit in page["hits"])


async def test_author_filter(seeded_client: httpx.AsyncClient, seeded: Seeded) -> None:
    authors = Counter(m.author for m in seeded.published if m.author)
    (busiest, count), (other, other_count) = authors.most_common(2)
    response = await seeded_client.get(
        SEARCH, params={**everything(seeded), "author": [busiest, other], "size": 100}
    )
    page = response.json()
    assert page["total"] == count + other_count
    assert {hit["author"] for hit in page["hits"]} == {busiest, other}


async def test_date_window(seeded_client: httpx.AsyncClient, seeded: Seeded) -> None:
    since, until = seeded.start + timedelta(hours=10), seeded.start + timedelta(hours=13, minutes=30)
    expected = {m.id for m in seeded.published if since <= m.published_at < until}
    params = {"since": since.isoformat(), "until": until.isoformat(), "size": 100}
    hits = await page_through(seeded_client, params)
    assert {hit["mention_id"] for hit in hits} == expected
    last = await seeded_client.get(SEARCH, params={"last": "6h", "size": 1})
    recent = sum(m.published_at >= datetime.now(UTC) - timedelta(hours=6) for m in seeded.published)
    assert abs(last.json()["total"] - recent) <= 1  # one may cross the edge between the two clocks


@pytest.mark.parametrize(
    ("param", "value", "field"),
    [
        ("sentiment", "negative", "sentiment.label"),
        ("sentiment", "positive", "sentiment.label"),
        ("emotion", "joy", "emotion.label"),
        ("emotion", "anger", "emotion.label"),
    ],
)
async def test_enrichment_label_filters(
    seeded_client: httpx.AsyncClient,
    seeded: Seeded,
    es: AsyncElasticsearch,
    param: str,
    value: str,
    field: str,
) -> None:
    expected = await es_count(es, seeded, {"term": {field: value}})
    assert 0 < expected < len(seeded.published)
    response = await seeded_client.get(SEARCH, params={**everything(seeded), param: value, "size": 100})
    page = response.json()
    assert page["total"] == expected
    assert {hit[param]["label"] for hit in page["hits"]} == {value}


async def test_entity_filter_and_facets(
    seeded_client: httpx.AsyncClient, seeded: Seeded, es: AsyncElasticsearch
) -> None:
    response = await seeded_client.get(SEARCH, params={**everything(seeded), "size": 10})
    facets = response.json()["facets"]
    assert Counter({b["brand_id"]: b["count"] for b in facets["brands"]}) == Counter(
        brand for mention in seeded.published for brand in mention.brand_ids
    )
    assert {f["value"]: f["count"] for f in facets["sources"]} == Counter(m.source for m in seeded.published)
    for facet in facets["sentiment"]:
        assert facet["count"] == await es_count(es, seeded, {"term": {"sentiment.label": facet["value"]}})
    counts = [facet["count"] for facet in facets["entities"]]
    assert len(counts) == 10
    assert counts == sorted(counts, reverse=True)
    top = facets["entities"][0]
    assert top["count"] == await es_count(es, seeded, {"term": {"entity_keys": top["value"]}})
    kind, _, text = top["value"].partition(":")
    filtered = await seeded_client.get(
        SEARCH, params={**everything(seeded), "entity": top["value"], "size": 50}
    )
    assert filtered.json()["total"] == top["count"]
    for hit in filtered.json()["hits"]:
        assert {"type": kind, "text": text} in hit["entities"]


async def test_facets_come_with_the_first_page_only(seeded_client: httpx.AsyncClient, seeded: Seeded) -> None:
    first = (await seeded_client.get(SEARCH, params={**everything(seeded), "size": 5})).json()
    assert first["facets"] is not None
    params = {**everything(seeded), "size": 5, "cursor": first["next_cursor"]}
    second = (await seeded_client.get(SEARCH, params=params)).json()
    assert second["facets"] is None
    assert not {h["mention_id"] for h in first["hits"]} & {h["mention_id"] for h in second["hits"]}


@pytest.mark.parametrize("query", ["acme AND (globex", 'globex OR "battery', "acme OR", "-globex"])
async def test_a_query_syntax_error_is_a_400_with_its_position(
    seeded_client: httpx.AsyncClient, query: str
) -> None:
    with pytest.raises(QuerySyntaxError) as expected:
        parse(query)
    for path in (SEARCH, "/api/export.csv", "/api/elastic/analytics/volume"):
        response = await seeded_client.get(path, params={"q": query})
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "query_syntax"
        assert error["details"] == {"position": expected.value.position}


def cursor_of(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        "bm90IGpzb24",  # base64 of "not json"
        cursor_of([1, 2]),
        cursor_of({"sort": "newest", "after": [1, "0" * 32]}),  # no `now`
        cursor_of({"sort": "newest", "after": [1, "x"], "now": "2026-01-01T00:00:00+00:00"}),
        cursor_of({"sort": "newest", "after": [True, "0" * 32], "now": "2026-01-01T00:00:00+00:00"}),
        cursor_of({"sort": "newest", "after": [1, 2, "0" * 32], "now": "2026-01-01T00:00:00+00:00"}),
        cursor_of({"sort": "newest", "after": [1, "0" * 32], "now": "2026-01-01T00:00:00"}),
        cursor_of({"sort": "relevance", "after": [1.0, 1, "0" * 32], "now": "2026-01-01T00:00:00+00:00"}),
    ],
)
async def test_a_bad_cursor_is_a_400(seeded_client: httpx.AsyncClient, cursor: str) -> None:
    response = await seeded_client.get(SEARCH, params={"sort": "newest", "cursor": cursor})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


async def test_page_size_is_bounded_by_the_setting(seeded_client: httpx.AsyncClient, seeded: Seeded) -> None:
    largest = seeded.settings.api_max_page_size
    assert (await seeded_client.get(SEARCH, params={"size": largest})).status_code == 200
    too_big = await seeded_client.get(SEARCH, params={"size": largest + 1})
    assert too_big.status_code == 400
    assert (await seeded_client.get(SEARCH, params={"size": 0})).status_code == 400


async def test_one_mention_by_id(seeded_client: httpx.AsyncClient, seeded: Seeded) -> None:
    mention = seeded.published[len(seeded.published) // 2]
    response = await seeded_client.get(f"/api/elastic/mentions/{mention.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["mention_id"] == mention.id
    assert (body["source"], body["external_id"], body["title"], body["text"]) == (
        mention.source,
        mention.external_id,
        mention.title,
        mention.text,
    )
    assert datetime.fromisoformat(body["published_at"]) == mention.published_at
    assert body["brand_ids"] == list(mention.brand_ids)
    assert body["models"]


async def test_an_absent_mention_is_a_404_and_a_bad_id_a_400(seeded_client: httpx.AsyncClient) -> None:
    missing = await seeded_client.get(f"/api/elastic/mentions/{'0' * 32}")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    for bad in ("xyz", "0" * 31, "A" * 32):
        response = await seeded_client.get(f"/api/elastic/mentions/{bad}")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_request"


def read_csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.text)))


async def test_export_streams_every_match_with_a_header(
    seeded_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await seeded_client.get("/api/export.csv", params=everything(seeded))
    assert response.text.startswith("mention_id,published_at,source,brand_ids,")
    rows = read_csv(response)
    assert len(rows) == len(seeded.published) > 1000  # over two batches of 500, no cap
    assert {row["mention_id"] for row in rows} == {mention.id for mention in seeded.published}
    by_id = {mention.id: mention for mention in seeded.published}
    for row in rows[:50]:
        mention = by_id[row["mention_id"]]
        assert (row["title"], row["text"], row["source"]) == (mention.title, mention.text, mention.source)
        assert row["brand_ids"] == ";".join(map(str, mention.brand_ids))
    times = [row["published_at"] for row in rows]
    assert times == sorted(times, reverse=True)


async def test_export_takes_the_search_filters(seeded_client: httpx.AsyncClient, seeded: Seeded) -> None:
    params = {**everything(seeded), "q": "globex", "source": "reddit"}
    search = await seeded_client.get(SEARCH, params={**params, "size": 1})
    rows = read_csv(await seeded_client.get("/api/export.csv", params=params))
    assert len(rows) == search.json()["total"] > 0
    assert {row["source"] for row in rows} == {"reddit"}


def test_cells_that_would_be_formulas_are_quoted() -> None:
    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
    ]
    assert [safe_cell(v) for v in ("Acme", "", "a=b", "1-2")] == ["Acme", "", "a=b", "1-2"]


@pytest.fixture
async def own_index(api_settings: Settings, es: AsyncElasticsearch) -> AsyncIterator[Settings]:
    """The `client` app's own (empty) alias, created from the template and removed afterwards."""
    await ensure_indices(es, api_settings)
    yield api_settings
    await es.indices.delete(index=single_index_name(api_settings), ignore_unavailable=True)
    await es.options(ignore_status=404).indices.delete_index_template(name=api_settings.es_alias)


async def test_export_neutralises_formulas_in_the_data(
    own_index: Settings, es: AsyncElasticsearch, client: httpx.AsyncClient
) -> None:
    now = datetime.now(UTC)
    mention = Mention(
        source="x",
        external_id="formula-1",
        title='=HYPERLINK("http://evil.example","click")',
        text="@everyone +1 -1",
        author="-rm",
        published_at=now - timedelta(minutes=5),
        fetched_at=now,
        brand_ids=(1,),
    )
    enrichment = Enrichment(
        mention_id=mention.id,
        sentiment=Sentiment(
            label="neutral", score=-0.1, probabilities={"negative": 0.3, "neutral": 0.5, "positive": 0.2}
        ),
        emotion=Emotion(
            label="anger", probabilities={"anger": 0.7, "joy": 0.1, "optimism": 0.1, "sadness": 0.1}
        ),
        entities=(Entity(text="=cmd", type="ORG"),),
        keywords=("=1+1", "acme"),
        enriched_at=now,
    )
    body = document(mention, enrichment, now)
    await es.index(index=single_index_name(own_index), id=mention.id, document=body, refresh="wait_for")
    rows = read_csv(await client.get("/api/export.csv", params={"last": "1h"}))
    assert len(rows) == 1
    row = rows[0]
    assert row["title"] == "'" + mention.title
    assert (row["text"], row["author"], row["keywords"]) == ("'@everyone +1 -1", "'-rm", "'=1+1;acme")
    assert row["entities"] == "ORG:=cmd"  # starts with its type: never a formula
    assert row["sentiment_score"] == "-0.1"


async def test_reads_need_a_key_when_configured(seeded: Seeded) -> None:
    settings = seeded.settings.model_copy(update={"api_read_requires_key": True})
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as http,
    ):
        for path in (SEARCH, "/api/export.csv", f"/api/elastic/mentions/{'0' * 32}"):
            assert (await http.get(path)).status_code == 401
