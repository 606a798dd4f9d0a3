"""Brands CRUD at `/api/brands` on an empty migrated database: validation, conflicts, keys and absence."""

from typing import Any

import httpx
import pytest

from tests.integration.api.conftest import API_KEY

KEY = {"X-API-Key": API_KEY}
ACME = {"slug": "acme", "name": "Acme", "query": '("Acme"  OR "Acme Corp") AND NOT "acme brick"'}


async def create(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/api/brands", json=body, headers=KEY)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_create_read_list_update_delete(client: httpx.AsyncClient) -> None:
    created = await create(client, {**ACME, "feeds": ["https://example.com/feed.xml"]})
    assert created["query"] == '("Acme" OR "Acme Corp") -"acme brick"'  # stored canonical
    assert created["active"] is True
    assert created["feeds"] == ["https://example.com/feed.xml"]
    other = await create(client, {"slug": "globex", "name": "Globex", "query": "Globex"})

    assert (await client.get(f"/api/brands/{created['id']}")).json() == created
    listed = (await client.get("/api/brands")).json()
    assert listed == {"data": [created, other], "count": 2}

    patch = {"name": "Acme Inc", "query": "Acme AND phones", "active": False}
    updated = (await client.patch(f"/api/brands/{created['id']}", json=patch, headers=KEY)).json()
    assert updated == {**created, "name": "Acme Inc", "query": "Acme phones", "active": False}
    assert (await client.get(f"/api/brands/{created['id']}")).json() == updated
    assert (await client.get("/api/brands", params={"active": True})).json()["data"] == [other]

    unchanged = await client.patch(f"/api/brands/{other['id']}", json={}, headers=KEY)
    assert unchanged.json() == other
    feeds = await client.patch(f"/api/brands/{other['id']}", json={"feeds": []}, headers=KEY)
    assert feeds.json()["feeds"] == []

    deleted = await client.delete(f"/api/brands/{created['id']}", headers=KEY)
    assert deleted.status_code == 204
    assert (await client.get(f"/api/brands/{created['id']}")).status_code == 404
    assert (await client.get("/api/brands")).json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "position"),
    [('"Acme', 0), ("Acme OR", 5), ("(Acme", 0), ("Acme)", 4), ("-Acme", 0), ("Acme AND AND x", 9)],
)
async def test_a_query_that_does_not_parse_is_a_400_naming_the_position(
    query: str, position: int, client: httpx.AsyncClient
) -> None:
    response = await client.post("/api/brands", json={**ACME, "query": query}, headers=KEY)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    [problem] = error["details"]
    assert problem["field"] == "body.query"
    assert f"at position {position}" in problem["message"]
    assert (await client.get("/api/brands")).json()["count"] == 0


async def test_an_update_with_a_bad_query_is_a_400_and_changes_nothing(client: httpx.AsyncClient) -> None:
    created = await create(client, ACME)
    response = await client.patch(f"/api/brands/{created['id']}", json={"query": "a OR OR b"}, headers=KEY)
    assert response.status_code == 400
    assert "at position 5" in response.json()["error"]["details"][0]["message"]
    assert (await client.get(f"/api/brands/{created['id']}")).json() == created


@pytest.mark.parametrize(
    "body",
    [
        {**ACME, "slug": "Not A Slug"},
        {**ACME, "name": ""},
        {**ACME, "feeds": ["not a url"]},
        {**ACME, "extra": 1},
        {"slug": "acme", "name": "Acme"},
        {**ACME, "name": "nul\x00byte"},
    ],
)
async def test_invalid_bodies_are_400(body: dict[str, Any], client: httpx.AsyncClient) -> None:
    response = await client.post("/api/brands", json=body, headers=KEY)
    assert response.status_code == 400, response.text
    assert (await client.get("/api/brands")).json()["count"] == 0


async def test_a_taken_slug_is_a_409(client: httpx.AsyncClient) -> None:
    first = await create(client, ACME)
    response = await client.post("/api/brands", json={**ACME, "name": "Another"}, headers=KEY)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert (await client.get("/api/brands")).json()["data"] == [first]


async def test_an_absent_brand_is_a_404(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/api/brands/999"),
        await client.patch("/api/brands/999", json={"name": "x"}, headers=KEY),
        await client.delete("/api/brands/999", headers=KEY),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("key", [None, "wrong-key"])
async def test_every_write_needs_a_valid_key(key: str | None, client: httpx.AsyncClient) -> None:
    created = await create(client, ACME)
    headers = {"X-API-Key": key} if key else {}
    for response in (
        await client.post("/api/brands", json={**ACME, "slug": "other"}, headers=headers),
        await client.patch(f"/api/brands/{created['id']}", json={"name": "x"}, headers=headers),
        await client.delete(f"/api/brands/{created['id']}", headers=headers),
    ):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
    assert (await client.get("/api/brands")).json()["data"] == [created]


async def test_operation_ids(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {
        "brands-list_brands",
        "brands-read_brand",
        "brands-create_brand",
        "brands-update_brand",
        "brands-delete_brand",
        "mentions-list_mentions",
        "mentions-update_sentiment",
        "rollups-list_hourly_rollups",
    } <= ids
