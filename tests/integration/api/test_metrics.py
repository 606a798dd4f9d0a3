"""`/metrics` on the real app: requests counted and timed by route template and status, itself excluded."""

import httpx
from prometheus_client.parser import text_string_to_metric_families


async def samples(client: httpx.AsyncClient) -> dict[tuple[str, str, str, str], float]:
    """(sample name, method, route, status) -> value, for the API's request metrics."""
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, s.labels["method"], s.labels["route"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(response.text)
        if family.name.startswith("brandpulse_api_")
        for s in family.samples
        if "method" in s.labels
    }


async def test_requests_are_counted_by_route_template_and_status(client: httpx.AsyncClient) -> None:
    before = await samples(client)
    for brand_id in (987654, 987655):  # two raw paths, one template
        assert (await client.get(f"/api/brands/{brand_id}")).status_code == 404
    assert (await client.get("/no/such/page")).status_code == 404
    after = await samples(client)

    def moved(name: str, route: str, status: str) -> float:
        key = (name, "GET", route, status)
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert moved("brandpulse_api_requests_total", "/api/brands/{brand_id}", "404") == 2
    assert moved("brandpulse_api_request_duration_seconds_count", "/api/brands/{brand_id}", "404") == 2
    assert moved("brandpulse_api_requests_total", "unmatched", "404") == 1
    assert not any(route.startswith("/api/brands/9") for _, _, route, _ in after)
    assert not any(route == "/metrics" for _, _, route, _ in after)


async def test_metrics_is_not_in_the_openapi_schema(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert "/metrics" not in schema["paths"]
