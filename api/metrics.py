"""The API's Prometheus metrics: requests and their latency by method, route template and status.

Routes are labelled by template (`/api/mentions/{mention_id}`), never by raw path, so the label set stays
as small as the route table. `/metrics` itself is not counted. With several uvicorn workers
(`PROMETHEUS_MULTIPROC_DIR` set, as `brandpulse api serve --workers N` does) `/metrics` adds up all of them.
"""

import os
import time

from fastapi import FastAPI
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PATH = "/metrics"
LABELS = ("method", "route", "status")
REQUESTS = Counter("brandpulse_api_requests_total", "HTTP requests answered.", LABELS)
LATENCY = Histogram(
    "brandpulse_api_request_duration_seconds", "Seconds from a request's arrival to its last byte.", LABELS
)


def route_template(scope: Scope) -> str:
    """The path template of the route that served the request, or `unmatched`."""
    route = scope.get("route")
    if isinstance(route, Mount):
        return f"{route.path}/{{path:path}}"
    return getattr(route, "path", None) or "unmatched"


class RequestMetrics:
    """ASGI middleware counting and timing every HTTP request but `/metrics`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == PATH:
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500  # an exception that escapes becomes a 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            labels = (scope["method"], route_template(scope), str(status))
            REQUESTS.labels(*labels).inc()
            LATENCY.labels(*labels).observe(time.perf_counter() - started)


async def read_metrics(request: Request) -> Response:
    """This process's metrics in the Prometheus text format, or all workers' in multiprocess mode."""
    registry = REGISTRY
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    """Count the app's requests and serve `/metrics` (outside the OpenAPI schema)."""
    app.add_middleware(RequestMetrics)
    app.add_route(PATH, read_metrics, include_in_schema=False)
