"""Where a request's time goes: each response carries a `Server-Timing` header (W3C) with the total, the
time spent waiting on Elasticsearch, PostgreSQL and Redis, and the API's own cost (the rest).

The waits are summed per request in a context variable by thin wrappers around the three clients.
"""

import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from elasticsearch import AsyncElasticsearch
from redis.asyncio import Redis
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STORES = ("es", "pg", "redis")
_waits: ContextVar[dict[str, float] | None] = ContextVar("brandpulse_waits", default=None)


def add_wait(store: str, seconds: float) -> None:
    """Count `seconds` of waiting on `store` towards the current request (no-op outside one)."""
    waits = _waits.get()
    if waits is not None:
        waits[store] = waits.get(store, 0.0) + seconds


def _timed(store: str, call: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await call(*args, **kwargs)
        finally:
            add_wait(store, time.perf_counter() - started)

    return timed


def instrument(es: AsyncElasticsearch, redis: Redis) -> None:
    """Make the Elasticsearch and Redis clients report their waits (engines: `timed_engine`)."""
    transport: Any = es.transport
    transport.perform_request = _timed("es", transport.perform_request)
    redis.execute_command = _timed("redis", redis.execute_command)  # type: ignore[method-assign,assignment]


class _TimedConnection(AsyncConnection):
    """A connection whose checkout (waiting for a free one, then pinging it) and release count as waits on
    PostgreSQL. SQLAlchemy releases in a task of its own, so the release includes waiting for the event
    loop to run it: under load that wait was most of what a history request seemed to cost the API."""

    async def start(self, is_ctxmanager: bool = False) -> AsyncConnection:
        started = time.perf_counter()
        try:
            return await super().start(is_ctxmanager)
        finally:
            add_wait("pg", time.perf_counter() - started)

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        started = time.perf_counter()
        try:
            await super().__aexit__(type_, value, traceback)
        finally:
            add_wait("pg", time.perf_counter() - started)


class _TimedEngine(AsyncEngine):
    _connection_cls = _TimedConnection  # what `connect()` and `begin()` make


def timed_engine(engine: AsyncEngine) -> AsyncEngine:
    """`engine` (the same pool) reporting its waits: checkouts, statements and releases."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def before(conn: Any, *_: Any) -> None:
        conn.info.setdefault("brandpulse_started", []).append(time.perf_counter())

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def after(conn: Any, *_: Any) -> None:
        add_wait("pg", time.perf_counter() - conn.info["brandpulse_started"].pop())

    return _TimedEngine(engine.sync_engine)


class ServerTiming:
    """ASGI middleware adding `Server-Timing: app;dur=…, es;dur=…, pg;dur=…, redis;dur=…, total;dur=…`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        waits: dict[str, float] = {}
        token = _waits.set(waits)
        started = time.perf_counter()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                total = time.perf_counter() - started
                parts = [f"{store};dur={waits.get(store, 0.0) * 1000:.2f}" for store in STORES]
                own = max(0.0, total - sum(waits.values()))
                header = ", ".join([f"app;dur={own * 1000:.2f}", *parts, f"total;dur={total * 1000:.2f}"])
                message["headers"] = [*message.get("headers", []), (b"server-timing", header.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_timing)
        finally:
            _waits.reset(token)
