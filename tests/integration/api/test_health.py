"""Health, readiness, the error model and the API-key rule on the real stores."""

import httpx
from pydantic import SecretStr

from api.main import create_app
from brandpulse.settings import Settings


async def test_health_reports_every_store_up(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "up"
    assert {c["name"]: c["status"] for c in body["components"]} == {
        "redis": "up",
        "elasticsearch": "up",
        "postgres": "up",
    }


async def test_health_is_503_when_a_store_is_down(api_settings: Settings) -> None:
    broken = api_settings.model_copy(
        update={"postgres_url": SecretStr("postgresql+asyncpg://nobody:x@127.0.0.1:1/none")}
    )
    app = create_app(broken)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as http,
    ):
        response = await http.get("/api/health")
    assert response.status_code == 503
    postgres = next(c for c in response.json()["components"] if c["name"] == "postgres")
    assert postgres["status"] == "down"
    assert postgres["error"]


async def test_ready_and_an_unknown_route_in_the_error_model(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/ready")).json() == {"status": "ready"}
    missing = await client.get("/api/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


async def test_operation_ids_are_tag_dash_name(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"health-read_health", "health-read_ready"} <= ids
