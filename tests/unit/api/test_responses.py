"""JSON bodies: model fields encoded by pydantic-core beside members that are JSON text already."""

import json
from datetime import UTC, datetime

from api.responses import json_object


def test_fields_and_encoded_members_make_one_object() -> None:
    at = datetime(2026, 11, 1, 12, tzinfo=UTC)
    response = json_object({"interval": "hour", "since": at, "next": None}, data='[{"a": 1}]', more="[]")
    assert response.media_type == "application/json"
    assert json.loads(bytes(response.body)) == {
        "interval": "hour",
        "since": "2026-11-01T12:00:00Z",
        "next": None,
        "data": [{"a": 1}],
        "more": [],
    }


def test_encoded_members_alone() -> None:
    assert json.loads(bytes(json_object({}, data="[]").body)) == {"data": []}
