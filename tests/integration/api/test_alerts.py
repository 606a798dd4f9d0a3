"""Alert rules and alerts on the real PostgreSQL and Redis: CRUD and validation, the evaluator firing on
mentions and enrichments written by the persist worker's own writes, pub/sub, webhooks, the lock, history.
"""

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pytest_httpserver import HTTPServer
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.alert_rules import evaluation_window
from api.alerts import AlertEvaluator
from api.main import create_app
from api.redis_keys import RedisKeys
from brandpulse.brands import BrandCreate, add_brand
from brandpulse.contract import Enrichment, Mention, Sentiment
from brandpulse.locks import held
from brandpulse.settings import Settings
from tests.integration.api.conftest import API_KEY
from workers.persist.writes import write_enrichments, write_mentions

KEY = {"X-API-Key": API_KEY}
NOW = datetime.now(UTC)
WINDOW = evaluation_window(NOW, 60, 300)  # what an evaluator ticking every minute looks at, at NOW


@pytest.fixture
async def app(api_settings: Settings, keys: RedisKeys) -> AsyncIterator[FastAPI]:
    """The app; its own evaluator runs once at start-up (no rules yet) and then sleeps for an hour."""
    app = create_app(api_settings.model_copy(update={"alert_every_s": 3600}))
    app.state.redis_keys = keys
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as http:
        yield http


@pytest.fixture
def evaluator(api_settings: Settings, redis: Redis, pg: AsyncEngine, keys: RedisKeys) -> AlertEvaluator:
    """An evaluator ticking every minute, on the app's database, lock and channel."""
    return AlertEvaluator(api_settings.model_copy(update={"alert_every_s": 60}), redis, pg, keys=keys)


async def brand(pg: AsyncEngine, slug: str) -> int:
    return (await add_brand(pg, BrandCreate(slug=slug, name=slug.title(), query=slug))).id


async def rule(http: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await http.post("/api/alerts/rules", json=fields, headers=KEY)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def write(pg: AsyncEngine, brand_id: int, labels: Sequence[str | None], at: datetime) -> list[Mention]:
    """Mentions of a brand published at `at`, each with its sentiment label (None: not enriched yet)."""
    mentions = [
        Mention(
            source="rss",
            external_id=uuid.uuid4().hex,
            text=f"mention {n}",
            published_at=at,
            fetched_at=at,
            brand_ids=(brand_id,),
        )
        for n in range(len(labels))
    ]
    enrichments = [
        Enrichment(
            mention_id=m.id,
            sentiment=Sentiment.model_validate({"label": label, "score": 0.0, "probabilities": {}}),
            enriched_at=at,
        )
        for m, label in zip(mentions, labels, strict=True)
        if label
    ]
    async with pg.begin() as connection:
        await write_mentions(connection, mentions)
        await write_enrichments(connection, enrichments)
    return mentions


async def test_rules_crud_with_defaults_and_validation(
    http: httpx.AsyncClient, pg: AsyncEngine, api_settings: Settings
) -> None:
    acme = await brand(pg, "acme")
    share = await rule(http, brand_id=acme)
    assert {k: share[k] for k in ("kind", "threshold", "window_s", "min_count", "muted", "webhook_url")} == {
        "kind": "negative_share",
        "threshold": 0.5,
        "window_s": 300,
        "min_count": 10,
        "muted": False,
        "webhook_url": None,
    }
    spike = await rule(http, brand_id=acme, kind="volume_spike")
    assert (spike["threshold"], spike["window_s"]) == (api_settings.volume_spike_sigmas, 3600)

    for bad, field in [
        ({"brand_id": acme, "threshold": 1.5}, "body"),
        ({"brand_id": acme, "kind": "volume_spike", "threshold": 0}, "body"),
        ({"brand_id": acme, "window_s": 30}, "body.window_s"),
        ({"brand_id": acme, "min_count": 0}, "body.min_count"),
        ({"brand_id": acme, "kind": "sentiment"}, "body.kind"),
        ({"brand_id": acme, "webhook_url": "ftp://x"}, "body.webhook_url"),
        ({"brand_id": acme, "colour": "red"}, "body.colour"),
    ]:
        response = await http.post("/api/alerts/rules", json=bad, headers=KEY)
        assert response.status_code == 400, bad
        assert response.json()["error"]["details"][0]["field"] == field, bad
    unknown = await http.post("/api/alerts/rules", json={"brand_id": acme + 1}, headers=KEY)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "unknown_brand")

    listed = (await http.get("/api/alerts/rules", params={"brand": acme})).json()
    assert [r["id"] for r in listed["data"]] == [share["id"], spike["id"]]
    assert (await http.get("/api/alerts/rules", params={"brand": acme + 1})).json() == {
        "data": [],
        "count": 0,
    }
    path = f"/api/alerts/rules/{share['id']}"
    muted = await http.patch(path, json={"muted": True, "webhook_url": "https://hooks.test/a"}, headers=KEY)
    assert (muted.json()["muted"], muted.json()["webhook_url"], muted.json()["threshold"]) == (
        True,
        "https://hooks.test/a",
        0.5,
    )
    assert (await http.get(path)).json() == muted.json()
    too_high = await http.patch(path, json={"threshold": 2.0}, headers=KEY)
    assert (too_high.status_code, too_high.json()["error"]["details"][0]["field"]) == (400, "body")
    moved = (await http.patch(path, json={"kind": "volume_spike"}, headers=KEY)).json()
    assert (moved["threshold"], moved["window_s"], moved["muted"]) == (
        api_settings.volume_spike_sigmas,
        3600,
        True,
    )
    cleared = (await http.patch(path, json={"webhook_url": None}, headers=KEY)).json()
    assert cleared["webhook_url"] is None

    for method in ("POST", "PATCH", "DELETE"):
        url = "/api/alerts/rules" if method == "POST" else path
        assert (await http.request(method, url, json={"brand_id": acme})).status_code == 401
    assert (await http.delete(path, headers=KEY)).status_code == 204
    assert (await http.get(path)).status_code == 404
    assert (await http.delete(path, headers=KEY)).status_code == 404
    assert (await http.patch(path, json={"muted": False}, headers=KEY)).status_code == 404


async def test_a_negative_burst_fires_one_alert_stored_published_and_listed(
    http: httpx.AsyncClient, pg: AsyncEngine, redis: Redis, keys: RedisKeys, evaluator: AlertEvaluator
) -> None:
    acme, globex = await brand(pg, "acme"), await brand(pg, "globex")
    watched = await rule(http, brand_id=acme, threshold=0.5, window_s=300, min_count=5)
    inside = WINDOW.end - timedelta(seconds=30)
    burst = await write(pg, acme, ["negative"] * 5 + ["positive"] * 3 + [None], inside)
    await write(pg, acme, ["positive"] * 20, WINDOW.start - timedelta(microseconds=1))  # just before
    await write(pg, acme, ["positive"] * 20, WINDOW.end)  # the end is not in the window
    await write(pg, globex, ["negative"] * 20, inside)  # another brand
    async with pg.begin() as connection:  # a person's label wins over the model's
        await connection.execute(
            text("INSERT INTO sentiment_corrections (mention_id, label, corrected_by) VALUES (:id, :l, :by)"),
            {"id": uuid.UUID(burst[5].id), "l": "negative", "by": "t"},
        )
    async with redis.pubsub() as pubsub:
        await pubsub.subscribe(keys.alerts_channel)
        await pubsub.get_message(timeout=1)  # the subscribe confirmation

        fired = await evaluator.evaluate(NOW)

        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5)
    assert fired is not None
    assert len(fired) == 1
    alert = fired[0]
    expected = {"negative": 6, "labelled": 8, "share": 0.75, "threshold": 0.5, "mentions": 9, "min_count": 5}
    assert alert.details == expected
    assert (alert.rule_id, alert.brand_id, alert.window_start, alert.window_end) == (
        watched["id"],
        acme,
        WINDOW.start,
        WINDOW.end,
    )
    assert message is not None
    assert json.loads(message["data"]) == json.loads(alert.model_dump_json())
    async with pg.connect() as connection:
        rows = (await connection.execute(text("SELECT rule_id, details FROM alerts"))).all()
    assert [(row.rule_id, row.details) for row in rows] == [(watched["id"], expected)]
    listed = (await http.get("/api/alerts")).json()
    assert listed["data"] == [json.loads(alert.model_dump_json())]
    assert (await http.get("/api/alerts", params={"brand": globex})).json()["data"] == []

    assert await evaluator.evaluate(NOW) == []  # the same window again: already alerted


async def test_a_rule_fires_at_most_once_per_window_length(
    http: httpx.AsyncClient, pg: AsyncEngine, evaluator: AlertEvaluator
) -> None:
    acme = await brand(pg, "acme")
    await rule(http, brand_id=acme, window_s=300, min_count=3)
    await write(pg, acme, ["negative"] * 3, WINDOW.end - timedelta(seconds=10))
    assert len(await evaluator.evaluate(NOW) or []) == 1
    for minutes in (1, 4):  # the burst is still in these windows, but they overlap the alerted one
        assert await evaluator.evaluate(NOW + timedelta(minutes=minutes)) == []
    await write(pg, acme, ["negative"] * 3, WINDOW.end + timedelta(minutes=5, seconds=-10))

    again = await evaluator.evaluate(NOW + timedelta(minutes=5))

    assert again is not None
    assert [(a.window_start, a.details["negative"]) for a in again] == [(WINDOW.end, 3)]


async def test_no_alert_under_min_count_when_muted_or_below_the_threshold(
    http: httpx.AsyncClient, pg: AsyncEngine, evaluator: AlertEvaluator
) -> None:
    acme, globex = await brand(pg, "acme"), await brand(pg, "globex")
    await write(pg, acme, ["negative"] * 4, WINDOW.end - timedelta(seconds=10))
    await write(pg, globex, ["negative"] * 3 + ["positive"] * 3, WINDOW.end - timedelta(seconds=10))
    await rule(http, brand_id=acme, min_count=5)  # 4 mentions only
    await rule(http, brand_id=acme, min_count=4, muted=True)
    await rule(http, brand_id=globex, min_count=1, threshold=0.5)  # exactly half is not above half
    control = await rule(http, brand_id=acme, min_count=4)

    fired = await evaluator.evaluate(NOW)

    assert fired is not None
    assert [alert.rule_id for alert in fired] == [control["id"]]


async def test_a_volume_spike_fires_against_the_twelve_windows_before(
    http: httpx.AsyncClient, pg: AsyncEngine, evaluator: AlertEvaluator
) -> None:
    acme, globex = await brand(pg, "acme"), await brand(pg, "globex")
    spiking = await rule(http, brand_id=acme, kind="volume_spike", window_s=60, threshold=3, min_count=5)
    await rule(http, brand_id=globex, kind="volume_spike", window_s=60, threshold=3, min_count=5)
    end = evaluation_window(NOW, 60, 60).end
    for before, count in enumerate([6, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 40]):  # the 14th is too old
        at = end - timedelta(seconds=60 * before + 1)
        await write(pg, acme, [None] * count, at)
        await write(pg, globex, [None] * (4 if before == 0 else 2), at)  # over the flat baseline, under min

    fired = await evaluator.evaluate(NOW)

    assert fired is not None
    assert [alert.rule_id for alert in fired] == [spiking["id"]]
    details = fired[0].details
    assert (details["count"], details["baseline"]) == (6, [1, 2] * 6)
    assert (details["baseline_mean"], details["baseline_sigma"], details["limit"]) == (1.5, 0.5, 3.0)


async def test_webhooks_get_the_alert_and_a_failing_one_does_not_stop_the_round(
    http: httpx.AsyncClient,
    pg: AsyncEngine,
    redis: Redis,
    keys: RedisKeys,
    api_settings: Settings,
    httpserver: HTTPServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = api_settings.model_copy(
        update={"alert_every_s": 60, "alert_webhook_url": httpserver.url_for("/all")}
    )
    evaluator = AlertEvaluator(settings, redis, pg, keys=keys)
    httpserver.expect_request("/own", method="POST").respond_with_data("ok")
    httpserver.expect_request("/all", method="POST").respond_with_data("ok")
    brands = [await brand(pg, slug) for slug in ("acme", "globex", "initech")]
    for brand_id in brands:
        await write(pg, brand_id, ["negative"], WINDOW.end - timedelta(seconds=10))
    own = await rule(http, brand_id=brands[0], min_count=1, webhook_url=httpserver.url_for("/own"))
    await rule(http, brand_id=brands[1], min_count=1, webhook_url="http://127.0.0.1:1/refused")
    await rule(http, brand_id=brands[2], min_count=1)  # the global webhook

    with caplog.at_level(logging.WARNING, logger="api.alerts"):
        fired = await evaluator.evaluate(NOW)

    assert fired is not None
    assert len(fired) == 3
    posted = {request.path: json.loads(request.data) for request, _ in httpserver.log}
    assert set(posted) == {"/own", "/all"}
    assert posted["/own"] == json.loads(fired[0].model_dump_json())
    assert posted["/own"]["rule_id"] == own["id"]
    assert posted["/all"]["brand_id"] == brands[2]
    assert any("webhook on 127.0.0.1 failed" in record.message for record in caplog.records)


async def test_one_process_evaluates_at_a_time(
    http: httpx.AsyncClient, pg: AsyncEngine, redis: Redis, keys: RedisKeys, evaluator: AlertEvaluator
) -> None:
    acme = await brand(pg, "acme")
    await write(pg, acme, ["negative"], WINDOW.end - timedelta(seconds=10))
    await rule(http, brand_id=acme, min_count=1)
    async with held(redis, keys.alerts_lock, 10_000) as mine:
        assert mine
        assert await evaluator.evaluate(NOW) is None  # another process holds the lock
    rounds = await asyncio.gather(*(evaluator.evaluate(NOW) for _ in range(3)))
    assert sum(len(alerts) for alerts in rounds if alerts) == 1


async def test_alert_history_pages_newest_first(http: httpx.AsyncClient, pg: AsyncEngine) -> None:
    acme, globex = await brand(pg, "acme"), await brand(pg, "globex")
    rules = {b: (await rule(http, brand_id=b))["id"] for b in (acme, globex)}
    fired_at = NOW - timedelta(hours=1)
    async with pg.begin() as connection:
        for n in range(7):
            brand_id = acme if n % 3 else globex
            await connection.execute(
                text("""INSERT INTO alerts (rule_id, brand_id, kind, fired_at, window_start, window_end)
                        VALUES (:rule, :brand, 'negative_share', :at, :end, :end)"""),
                {
                    "rule": rules[brand_id],
                    "brand": brand_id,
                    "at": fired_at + timedelta(minutes=n // 2),
                    "end": fired_at + timedelta(minutes=n),
                },
            )  # pairs share a fired_at: the id breaks the tie

    async def pages(params: dict[str, Any]) -> list[int]:
        ids: list[int] = []
        cursor = None
        while True:
            response = await http.get(
                "/api/alerts", params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})}
            )
            body = response.json()
            ids += [alert["id"] for alert in body["data"]]
            cursor = body["next_cursor"]
            if cursor is None:
                return ids

    all_ids = await pages({})
    async with pg.connect() as connection:
        expected = (
            await connection.execute(text("SELECT id FROM alerts ORDER BY fired_at DESC, id DESC"))
        ).scalars()
        assert all_ids == list(expected)
        acme_only = await connection.execute(
            text("SELECT id FROM alerts WHERE brand_id = :b ORDER BY fired_at DESC, id DESC"), {"b": acme}
        )
        assert await pages({"brand": acme}) == list(acme_only.scalars())
    bad = await http.get("/api/alerts", params={"cursor": "not-a-cursor"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_cursor")


async def test_the_app_evaluates_on_its_own(api_settings: Settings, keys: RedisKeys, pg: AsyncEngine) -> None:
    app = create_app(api_settings.model_copy(update={"alert_every_s": 0.2}))
    app.state.redis_keys = keys
    acme = await brand(pg, "acme")
    await write(pg, acme, ["negative"] * 3, datetime.now(UTC) - timedelta(seconds=30))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as http,
    ):
        watched = await rule(http, brand_id=acme, min_count=3)
        for _ in range(50):
            alerts = (await http.get("/api/alerts")).json()["data"]
            if alerts:
                break
            await asyncio.sleep(0.1)
    assert [(alert["rule_id"], alert["details"]["negative"]) for alert in alerts] == [(watched["id"], 3)]
