"""The built UI (`frontend/dist`) at `/`: its files, and its index.html for every other path but `/api`.

Mounted only when the UI was built (`make frontend`; its folder is the `ui_dir` setting), after the
routers so every API route wins. The hashed files under `assets/` never change, so browsers may keep
them; index.html is revalidated each time. Files go gzipped to browsers that accept it (a third of
the bytes; API responses stay uncompressed, as compressing small JSON costs more than it saves).
"""

from pathlib import Path
from typing import Final

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

IMMUTABLE: Final = "public, max-age=31536000, immutable"


class SinglePageApp(StaticFiles):
    """Static files, with index.html for paths that name no file (the app's client-side routes)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file at `path`, or index.html for a page path (not an API call, not a file) with none."""
        try:
            response = await super().get_response(path, scope)
        except HTTPException as error:
            if error.status_code != 404 or not _is_page(path):
                raise
            response = await super().get_response("index.html", scope)
        immutable = path.startswith("assets/") and response.status_code == 200
        response.headers["Cache-Control"] = IMMUTABLE if immutable else "no-cache"
        return response


def _is_page(path: str) -> bool:
    """Whether a path the files do not hold is one of the app's routes (`search`, `brands/3`)."""
    parts = Path(path).parts
    return not (parts and parts[0] == "api") and "." not in (parts[-1] if parts else "")


def mount_ui(app: FastAPI, dist: Path) -> bool:
    """Serve the UI at `/` when `dist` holds a build; whether it did."""
    if not (dist / "index.html").is_file():
        return False
    ui = GZipMiddleware(SinglePageApp(directory=dist, html=True), minimum_size=1024, compresslevel=6)
    app.mount("/", ui, name="ui")
    return True
