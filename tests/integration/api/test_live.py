"""`WS /api/live` on the real Redis: a mention the real elastic worker indexed after the client connected,
brand filters over mentions and alerts, the key rule, and a slow client dropped without slowing the rest.

The first tests run the app under uvicorn and talk to it with the `websockets` client, as a browser would.
The slow client is driven at the ASGI level instead: a client whose every send blocks is exactly what a
full socket looks like to the app, without pushing megabytes through kernel buffers to get there.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
import uvicorn
from elasticsearch import AsyncElasticsearch
from fastapi import FastAPI
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from api.live_feed import LiveHub
from api.main import create_app
from api.redis_keys import RedisKeys
from brandpulse.contract import Mention
from brandpulse.es_indices import ensure_indices, single_index_name
from brandpulse.settings import Settings
from ingest.publisher import Publisher
from tests.integration.api.conftest import API_KEY
from workers.elastic.enrich import Enricher
from workers.elastic.main import build_worker


@asynccontextmanager
async def served(settings: Settings, keys: RedisKeys) -> AsyncIterator[tuple[FastAPI, str]]:
    """The app under uvicorn on a free port, its live feed subscribed; yields it and the feed's URL."""
    app = create_app(settings)
    app.state.redis_keys = keys
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:  # noqa: ASYNC110 - uvicorn has no event for it
                await asyncio.sleep(0.01)
            await app.state.live.ready.wait()
        port = server.servers[0].sockets[0].getsockname()[1]
        yield app, f"ws://127.0.0.1:{port}/api/live"
    finally:
        server.should_exit = True
        await serving


async def frames_until(websocket: ClientConnection, last_id: str) -> list[tuple[str, Any]]:
    """(type, id) of each frame up to the one whose data has `last_id`."""
    seen: list[tuple[str, Any]] = []
    async with asyncio.timeout(10):
        while not seen or seen[-1][1] != last_id:
            frame = json.loads(await websocket.recv())
            seen.append((frame["type"], frame["data"]["id"]))
    return seen


async def test_a_client_receives_a_mention_indexed_after_it_connected(
    api_settings: Settings, keys: RedisKeys, redis: Redis, es: AsyncElasticsearch, enricher: Enricher
) -> None:
    settings = api_settings.model_copy(update={"elastic_flush_after_s": 0.05, "worker_block_ms": 50})
    await ensure_indices(es, settings)
    now = datetime.now(UTC)
    mention = Mention(
        source="rss",
        external_id="live-1",
        title="Acme ships the new anvil",
        text="Customers love how fast the Acme anvil arrives.",
        published_at=now,
        fetched_at=now,
        brand_ids=(1,),
    )
    raw, enriched = keys.streams
    try:
        async with served(settings, keys) as (_, url), connect(f"{url}?brand=1") as websocket:
            await Publisher(redis, settings, stream=raw, bloom_key=keys.bloom).publish([mention])
            worker = build_worker(
                settings,
                redis,
                es,
                enricher,
                raw=raw,
                enriched=enriched,
                dead_letters=keys.dead_letters,
                live=keys.live_channel,
            )
            await worker.run(burst=True)
            frame = json.loads(await asyncio.wait_for(websocket.recv(), 10))
    finally:
        await es.indices.delete(index=single_index_name(settings), ignore_unavailable=True)
        await es.options(ignore_status=404).indices.delete_index_template(name=settings.es_alias)
    assert frame["type"] == "mention"
    data = frame["data"]
    assert (data["id"], data["brand_ids"], data["title"]) == (mention.id, [1], mention.title)
    assert data["sentiment"] in {"negative", "neutral", "positive"}


async def test_brand_filters_apply_to_mentions_and_alerts(
    api_settings: Settings, keys: RedisKeys, redis: Redis
) -> None:
    async with (
        served(api_settings, keys) as (_, url),
        connect(f"{url}?brand=1") as one,
        connect(f"{url}?brand=2&brand=3") as two_three,
        connect(url) as every,
    ):
        for mention_id, brands in [("a", [1]), ("b", [2]), ("c", [1, 3]), ("d", [])]:
            await redis.publish(keys.live_channel, json.dumps({"id": mention_id, "brand_ids": brands}))
        await redis.publish(keys.alerts_channel, json.dumps({"id": 7, "brand_id": 2, "kind": "volume_spike"}))
        await redis.publish(keys.live_channel, "not json")  # skipped, not fatal
        await redis.publish(keys.live_channel, json.dumps({"id": "end", "brand_ids": [1, 2]}))

        assert await frames_until(one, "end") == [("mention", "a"), ("mention", "c"), ("mention", "end")]
        assert await frames_until(two_three, "end") == [
            ("mention", "b"),
            ("mention", "c"),
            ("alert", 7),
            ("mention", "end"),
        ]
        assert await frames_until(every, "end") == [
            ("mention", "a"),
            ("mention", "b"),
            ("mention", "c"),
            ("mention", "d"),
            ("alert", 7),
            ("mention", "end"),
        ]


async def test_the_feed_needs_a_key_when_reads_do(api_settings: Settings, keys: RedisKeys) -> None:
    settings = api_settings.model_copy(update={"api_read_requires_key": True})
    async with served(settings, keys) as (app, url):
        for refused_url in (url, f"{url}?api_key=wrong"):
            with pytest.raises(InvalidStatus) as refused:
                await connect(refused_url)
            assert refused.value.response.status_code == 401
            assert json.loads(refused.value.response.body or b"")["error"]["code"] == "unauthorized"
        async with (
            connect(f"{url}?api_key={API_KEY}"),
            connect(url, additional_headers={"X-API-Key": API_KEY}),
        ):
            await asyncio.sleep(0.1)
            assert len(app.state.live.subscriptions) == 2
        with pytest.raises(InvalidStatus):
            await connect(f"{url}?brand=acme")  # not a brand id


class AsgiClient:
    """A WebSocket client at the ASGI level; a stalled one never reads, so every send to it blocks."""

    def __init__(self, *, stalled: bool) -> None:
        self.stalled = stalled
        self.accepted, self.leave = asyncio.Event(), asyncio.Event()
        self.received: asyncio.Queue[str] = asyncio.Queue()
        self.closed: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._connected = False

    async def receive(self) -> dict[str, Any]:
        if not self._connected:
            self._connected = True
            return {"type": "websocket.connect"}
        await self.leave.wait()
        return {"type": "websocket.disconnect", "code": 1000}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "websocket.accept":
            self.accepted.set()
        elif message["type"] == "websocket.send":
            if self.stalled:
                await asyncio.Event().wait()  # the socket's buffers are full, and stay full
            self.received.put_nowait(message["text"])
        elif message["type"] == "websocket.close":
            self.closed.set_result(message)

    def scope(self) -> dict[str, Any]:
        return {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "scheme": "ws",
            "path": "/api/live",
            "raw_path": b"/api/live",
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"api.test")],
            "client": ("127.0.0.1", 50000),
            "server": ("api.test", 80),
            "subprotocols": [],
            "extensions": {"websocket.http.response": {}},
        }


async def test_a_slow_client_is_dropped_and_the_others_carry_on(
    api_settings: Settings, keys: RedisKeys, redis: Redis
) -> None:
    app = create_app(api_settings.model_copy(update={"api_live_queue_size": 4}))
    app.state.redis_keys = keys
    slow, fast = AsgiClient(stalled=True), AsgiClient(stalled=False)
    async with app.router.lifespan_context(app):
        hub: LiveHub = app.state.live
        sessions = [asyncio.create_task(app(c.scope(), c.receive, c.send)) for c in (slow, fast)]  # type: ignore[arg-type]
        async with asyncio.timeout(10):
            await asyncio.gather(slow.accepted.wait(), fast.accepted.wait(), hub.ready.wait())
            for n in range(10):  # 1 in the stalled send + 4 queued, then the queue is full
                await redis.publish(keys.live_channel, json.dumps({"id": n, "brand_ids": [1]}))
            closed = await slow.closed
            await sessions[0]
            got = [json.loads(await fast.received.get())["data"]["id"] for _ in range(10)]
        assert closed["code"] == 1013
        assert "too slow" in closed["reason"]
        assert got == list(range(10))
        assert fast.received.empty()
        assert len(hub.subscriptions) == 1  # the fast client's
        fast.leave.set()
        await sessions[1]
        assert hub.subscriptions == set()
