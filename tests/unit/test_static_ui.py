"""The API serves a built UI at `/`: its files, index.html for the app's routes, API errors left alone."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.main import create_app
from brandpulse.settings import Settings

INDEX = "<!doctype html><div id=root></div>"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A tiny build: index.html and one hashed asset."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1);\n" * 200)
    return tmp_path


async def client_for(ui_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(ui_dir=ui_dir))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ui.test") as http:
        yield http


@pytest.fixture
async def ui(dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for http in client_for(dist):
        yield http


@pytest.mark.parametrize("path", ["/", "/search", "/brands/3", "/dashboard?last=7d"])
async def test_app_routes_get_index_html_revalidated(ui: httpx.AsyncClient, path: str) -> None:
    response = await ui.get(path)
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_immutable_and_gzipped(ui: httpx.AsyncClient) -> None:
    response = await ui.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == "console.log(1);\n" * 200


@pytest.mark.parametrize("path", ["/api/no/such/route", "/assets/gone.js", "/favicon.ico"])
async def test_missing_files_and_api_paths_are_404s_in_the_error_model(
    ui: httpx.AsyncClient, path: str
) -> None:
    response = await ui.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_api_routes_win_over_the_ui(ui: httpx.AsyncClient) -> None:
    assert (await ui.get("/openapi.json")).json()["info"]["title"] == "BrandPulse API"


async def test_without_a_build_only_the_api_is_served(tmp_path: Path) -> None:
    async for http in client_for(tmp_path / "missing"):
        assert (await http.get("/search")).status_code == 404
        assert (await http.get("/openapi.json")).status_code == 200
