"""The schema snapshot the UI's typed client is generated from (`frontend/openapi.json`) is the API's."""

import json
from pathlib import Path

from api.main import create_app

SNAPSHOT = Path(__file__).resolve().parents[2] / "frontend" / "openapi.json"


def test_the_ui_schema_snapshot_is_current() -> None:
    current = json.loads(json.dumps(create_app().openapi()))
    assert json.loads(SNAPSHOT.read_text()) == current, (
        "the API changed: run `npm run dump:api && npm run gen:api` in frontend/ and commit both files"
    )
