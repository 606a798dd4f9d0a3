"""`PATCH /api/mentions/{id}/sentiment`: a person's label wins in PostgreSQL's rollups and in Elasticsearch.

Mentions are written by the persist worker's own writes and indexed as the elastic worker's documents.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from elasticsearch import AsyncElasticsearch
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.main import create_app
from brandpulse.contract import Emotion, Enrichment, Mention, Sentiment, SentimentLabel
from brandpulse.corrections import CORRECTIONS_KEY, corrected
from brandpulse.es_indices import ensure_indices, single_index_name
from brandpulse.settings import Settings
from tests.integration.api.conftest import API_KEY
from workers.elastic.documents import document
from workers.persist.writes import write_enrichments, write_mentions

KEY = {"X-API-Key": API_KEY}
BRAND = 7
HOUR = (datetime.now(UTC) - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
WINDOW = {"since": (HOUR - timedelta(hours=1)).isoformat(), "until": (HOUR + timedelta(hours=2)).isoformat()}


@dataclass
class Stores:
    """The test's stores and a way to put mentions in them."""

    settings: Settings
    es: AsyncElasticsearch
    pg: AsyncEngine
    redis: Redis
    unique: str
    ids: list[str]

    def mention(self, n: int, label: SentimentLabel = "positive") -> tuple[Mention, Enrichment]:
        mention = Mention(
            source="news",
            external_id=f"{self.unique}-{n}",
            title=f"Acme story {n}",
            text="Acme shipped something.",
            author=f"author-{n}",
            lang="en",
            published_at=HOUR + timedelta(minutes=n),
            fetched_at=HOUR + timedelta(minutes=30),
            brand_ids=(BRAND,),
        )
        score = {"positive": 0.8, "neutral": 0.0, "negative": -0.8}[label]
        probabilities = {"negative": 0.1, "neutral": 0.1, "positive": 0.1} | {label: 0.8}
        enrichment = Enrichment(
            mention_id=mention.id,
            sentiment=Sentiment(label=label, score=score, probabilities=probabilities),
            emotion=Emotion(
                label="joy", probabilities={"anger": 0.1, "joy": 0.7, "optimism": 0.1, "sadness": 0.1}
            ),
            enriched_at=HOUR + timedelta(minutes=31),
        )
        self.ids.append(mention.id)
        return mention, enrichment

    async def persist(self, *items: tuple[Mention, Enrichment]) -> None:
        async with self.pg.begin() as connection:
            await write_mentions(connection, [mention for mention, _ in items])
            await write_enrichments(connection, [enrichment for _, enrichment in items])

    async def index(self, *items: tuple[Mention, Enrichment]) -> None:
        for mention, enrichment in items:
            doc = document(mention, enrichment, datetime.now(UTC))
            await self.es.index(
                index=single_index_name(self.settings), id=mention.id, document=doc, refresh=True
            )

    async def source(self, mention_id: str) -> dict[str, Any]:
        found = await self.es.get(index=single_index_name(self.settings), id=mention_id)
        source: dict[str, Any] = found["_source"]
        return source

    async def corrections(self) -> dict[str, str]:
        async with self.pg.connect() as connection:
            rows = await connection.execute(text("SELECT mention_id, label FROM sentiment_corrections"))
            return {row.mention_id.hex: row.label for row in rows}


@pytest.fixture
async def stores(
    api_settings: Settings, es: AsyncElasticsearch, pg: AsyncEngine, redis: Redis, unique: str
) -> AsyncIterator[Stores]:
    """The test's index (from the template) and database, cleaned up after, Redis records included."""
    await ensure_indices(es, api_settings)
    stores = Stores(api_settings, es, pg, redis, unique, [])
    yield stores
    if stores.ids:
        await redis.hdel(CORRECTIONS_KEY, *stores.ids)
    await es.indices.delete(index=single_index_name(api_settings), ignore_unavailable=True)
    await es.options(ignore_status=404).indices.delete_index_template(name=api_settings.es_alias)


async def hour_counts(client: httpx.AsyncClient) -> dict[str, int]:
    response = await client.get("/api/rollups/hourly", params={**WINDOW, "brand": BRAND})
    [row] = response.json()["data"]
    return {name: row[name] for name in ("mentions", "positive", "neutral", "negative")}


async def test_a_correction_shows_in_rollups_history_and_elasticsearch(
    client: httpx.AsyncClient, stores: Stores
) -> None:
    first, second = stores.mention(1), stores.mention(2)
    await stores.persist(first, second)
    await stores.index(first, second)
    assert await hour_counts(client) == {"mentions": 2, "positive": 2, "neutral": 0, "negative": 0}
    mention_id = first[0].id

    response = await client.patch(
        f"/api/mentions/{mention_id}/sentiment",
        json={"label": "negative", "corrected_by": "ana"},
        headers=KEY,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["label"] == "negative"
    assert body["model_label"] == "positive"
    assert body["corrected_by"] == "ana"
    assert body["elasticsearch"] == "updated"
    assert body["recorded"] is True
    assert await hour_counts(client) == {"mentions": 2, "positive": 1, "neutral": 0, "negative": 1}
    sentiment = (await stores.source(mention_id))["sentiment"]
    assert sentiment["label"] == "negative"
    assert sentiment["corrected"] is True
    assert datetime.fromisoformat(sentiment["corrected_at"]) == datetime.fromisoformat(body["corrected_at"])
    assert sentiment["score"] == pytest.approx(0.8)  # the model's score stays
    negatives = await stores.es.search(
        index=stores.settings.es_alias, query={"term": {"sentiment.label": "negative"}}, source=False
    )
    assert [hit["_id"] for hit in negatives["hits"]["hits"]] == [mention_id]  # searchable at once
    assert (await corrected(stores.redis, [mention_id, second[0].id]))[mention_id].label == "negative"
    history = (await client.get("/api/mentions", params={**WINDOW, "sentiment": "negative"})).json()["data"]
    assert [item["id"] for item in history] == [mention_id]
    assert history[0]["correction"]["label"] == "negative"
    assert history[0]["enrichment"]["sentiment_label"] == "positive"


async def test_correcting_again_moves_the_count_back_and_repeats_change_nothing(
    client: httpx.AsyncClient, stores: Stores
) -> None:
    item = stores.mention(1)
    await stores.persist(item)
    await stores.index(item)
    path = f"/api/mentions/{item[0].id}/sentiment"
    for label in ("neutral", "neutral", "positive"):
        response = await client.patch(path, json={"label": label}, headers=KEY)
        assert response.status_code == 200, response.text
        expected = {"mentions": 1, "positive": 0, "neutral": 0, "negative": 0} | {label: 1}
        assert await hour_counts(client) == expected
        assert (await stores.source(item[0].id))["sentiment"]["label"] == label
    assert await stores.corrections() == {item[0].id: "positive"}


async def test_a_mention_not_indexed_yet_is_corrected_in_postgres_and_recorded(
    client: httpx.AsyncClient, stores: Stores
) -> None:
    item = stores.mention(1)
    await stores.persist(item)
    response = await client.patch(
        f"/api/mentions/{item[0].id}/sentiment", json={"label": "negative"}, headers=KEY
    )
    assert response.status_code == 200, response.text
    assert response.json()["elasticsearch"] == "not_indexed"
    assert await hour_counts(client) == {"mentions": 1, "positive": 0, "neutral": 0, "negative": 1}
    assert (await corrected(stores.redis, [item[0].id]))[item[0].id].label == "negative"


async def test_a_mention_only_indexed_yet_keeps_its_correction_once_stored(
    client: httpx.AsyncClient, stores: Stores
) -> None:
    item = stores.mention(1)
    await stores.index(item)
    response = await client.patch(
        f"/api/mentions/{item[0].id}/sentiment", json={"label": "negative"}, headers=KEY
    )
    assert response.status_code == 200, response.text
    assert response.json()["model_label"] is None  # PostgreSQL has not seen its enrichment
    assert (await stores.source(item[0].id))["sentiment"]["label"] == "negative"
    await stores.persist(item)  # the persist worker catches up: its recount reads the correction
    assert await hour_counts(client) == {"mentions": 1, "positive": 0, "neutral": 0, "negative": 1}


async def test_a_mention_in_neither_store_is_a_404_and_writes_nothing(
    client: httpx.AsyncClient, stores: Stores
) -> None:
    mention_id = stores.mention(1)[0].id
    response = await client.patch(
        f"/api/mentions/{mention_id}/sentiment", json={"label": "negative"}, headers=KEY
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert await stores.corrections() == {}
    assert await corrected(stores.redis, [mention_id]) == {}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/mentions/{id}/sentiment", {"label": "angry"}),
        ("/api/mentions/{id}/sentiment", {}),
        ("/api/mentions/{id}/sentiment", {"label": "negative", "corrected_by": ""}),
        ("/api/mentions/{id}/sentiment", {"label": "negative", "corrected_by": "a\x00b"}),
        ("/api/mentions/NOT-AN-ID/sentiment", {"label": "negative"}),
    ],
)
async def test_invalid_corrections_are_400(
    path: str, body: dict[str, Any], client: httpx.AsyncClient, stores: Stores
) -> None:
    item = stores.mention(1)
    await stores.persist(item)
    response = await client.patch(path.format(id=item[0].id), json=body, headers=KEY)
    assert response.status_code == 400, response.text
    assert await stores.corrections() == {}


@pytest.mark.parametrize("key", [None, "wrong-key"])
async def test_a_correction_needs_a_valid_key(
    key: str | None, client: httpx.AsyncClient, stores: Stores
) -> None:
    item = stores.mention(1)
    await stores.persist(item)
    headers = {"X-API-Key": key} if key else {}
    response = await client.patch(
        f"/api/mentions/{item[0].id}/sentiment", json={"label": "negative"}, headers=headers
    )
    assert response.status_code == 401
    assert await stores.corrections() == {}
    assert await hour_counts(client) == {"mentions": 1, "positive": 1, "neutral": 0, "negative": 0}


async def test_with_elasticsearch_down_postgres_commits_and_the_answer_is_202(
    api_settings: Settings, stores: Stores
) -> None:
    item = stores.mention(1)
    await stores.persist(item)
    down = api_settings.model_copy(
        update={"elasticsearch_url": "http://127.0.0.1:1", "elasticsearch_max_retries": 0}
    )
    app = create_app(down)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as http,
    ):
        response = await http.patch(
            f"/api/mentions/{item[0].id}/sentiment", json={"label": "negative"}, headers=KEY
        )
        assert response.status_code == 202, response.text
        assert response.json()["elasticsearch"] == "unavailable"
        assert response.json()["recorded"] is True
        assert await hour_counts(http) == {"mentions": 1, "positive": 0, "neutral": 0, "negative": 1}
        unknown = stores.mention(2)[0].id  # not in PostgreSQL, and Elasticsearch cannot be asked
        assert (
            await http.patch(f"/api/mentions/{unknown}/sentiment", json={"label": "negative"}, headers=KEY)
        ).status_code == 503
    assert (await corrected(stores.redis, [item[0].id]))[item[0].id].label == "negative"
