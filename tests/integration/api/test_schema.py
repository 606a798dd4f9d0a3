"""Schemathesis over the OpenAPI schema, against the API served by uvicorn on the real stores: no 5xx."""

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from elasticsearch import AsyncElasticsearch
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from pydantic import SecretStr

from api.main import create_app
from api.redis_keys import RedisKeys
from brandpulse.es_indices import ensure_indices, single_index_name
from brandpulse.settings import Settings
from tests.integration.api.conftest import API_KEY
from tests.ports import free_port

EXAMPLES_PER_OPERATION = 30


def wait_until_started(server: uvicorn.Server, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
async def served(
    migrated: Settings, es: AsyncElasticsearch, unique: str, keys: RedisKeys
) -> AsyncIterator[str]:
    """The API on a free loopback port, on a database and an index of its own; yields its base URL."""
    own = migrated.model_copy(update={"api_keys": [SecretStr(API_KEY)], "es_alias": f"test-{unique}"})
    await ensure_indices(es, own)
    port = free_port()
    app = create_app(own)
    app.state.redis_keys = keys  # writes such as dead-letter replay must never touch the real streams
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    await asyncio.to_thread(wait_until_started, server)
    yield base
    server.should_exit = True
    await asyncio.to_thread(thread.join, 10)
    await es.indices.delete(index=single_index_name(own), ignore_unavailable=True)
    await es.options(ignore_status=404).indices.delete_index_template(name=own.es_alias)


async def test_no_operation_answers_with_a_server_error(served: str) -> None:
    schema = schemathesis.openapi.from_url(f"{served}/openapi.json")
    failures: list[str] = []

    def run() -> None:
        for result in schema.get_all_operations():
            operation = result.ok()

            @hypothesis_settings(
                max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck)
            )
            @given(case=operation.as_strategy())
            def check(case: schemathesis.Case[Any]) -> None:
                response = case.call(base_url=served, headers={"X-API-Key": API_KEY}, timeout=30)
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path} {case.query}: {response.text[:99]}")

            check()

    await asyncio.to_thread(run)
    assert failures == []
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{served}/api/ready")).status_code == 200
