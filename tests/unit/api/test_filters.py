"""The shared mention filters: date windows and the brand query, validated at the edge."""

from datetime import UTC, datetime, timedelta

import pytest

from api.errors import ApiError
from api.filters import MentionFilters
from brandpulse.brand_query import QuerySyntaxError, Term
from brandpulse.settings import Settings

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
SETTINGS = Settings(_env_file=None, api_max_range_days=30)


@pytest.mark.parametrize(
    ("filters", "start", "end"),
    [
        ({}, NOW - timedelta(days=7), NOW),
        ({"last": "24h"}, NOW - timedelta(hours=24), NOW),
        ({"last": "30m"}, NOW - timedelta(minutes=30), NOW),
        ({"since": NOW - timedelta(days=2)}, NOW - timedelta(days=2), NOW),
        ({"until": NOW - timedelta(days=1)}, NOW - timedelta(days=8), NOW - timedelta(days=1)),
    ],
)
def test_window(filters: dict[str, object], start: datetime, end: datetime) -> None:
    assert MentionFilters.model_validate(filters).window(SETTINGS, NOW) == (start, end)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"last": "24h", "since": NOW}, "not both"),
        ({"last": "yesterday"}, "30m, 24h or 7d"),
        ({"since": NOW, "until": NOW}, "empty"),
        ({"last": "31d"}, "longer than 30 days"),
    ],
)
def test_bad_windows_are_400s(filters: dict[str, object], message: str) -> None:
    with pytest.raises(ApiError) as caught:
        MentionFilters.model_validate(filters).window(SETTINGS, NOW)
    assert caught.value.status == 400
    assert message in caught.value.message


def test_the_query_is_parsed_or_refused_with_its_position() -> None:
    assert MentionFilters(q="acme").query() == Term("acme", phrase=False)
    assert MentionFilters(q="  ").query() is None
    with pytest.raises(QuerySyntaxError) as caught:
        MentionFilters(q='acme OR "open').query()
    assert caught.value.position == 8
