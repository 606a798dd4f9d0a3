"""Brand queries translated to Elasticsearch, the filters as filter clauses, and the opaque cursor."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.errors import ApiError
from api.filters import MentionFilters
from api.queries.elastic import Cursor, es_time, filter_clauses, mention_query, translate
from brandpulse.brand_query import parse

START = datetime(2026, 11, 24, 10, 0, 0, 123_456, tzinfo=UTC)
END = START + timedelta(hours=2)


def word(text: str) -> dict[str, Any]:
    """What a bare word becomes."""
    exact = {"value": text, "case_insensitive": True}
    return {
        "bool": {
            "should": [
                {"multi_match": {"query": text, "fields": ("title^3", "text"), "operator": "and"}},
                {
                    "nested": {
                        "path": "entities",
                        "query": {"match": {"entities.text.search": {"query": text, "operator": "and"}}},
                        "score_mode": "max",
                        "boost": 2.0,
                    }
                },
                {"term": {"keywords": {**exact, "boost": 2.0}}},
                {"term": {"author": {**exact, "boost": 2.0}}},
            ],
            "minimum_should_match": 1,
        }
    }


def phrase(text: str) -> dict[str, Any]:
    """What a quoted phrase becomes."""
    exact = {"value": text, "case_insensitive": True}
    return {
        "bool": {
            "should": [
                {"multi_match": {"query": text, "fields": ("title^3", "text"), "type": "phrase"}},
                {
                    "nested": {
                        "path": "entities",
                        "query": {"match_phrase": {"entities.text.search": text}},
                        "score_mode": "max",
                        "boost": 2.0,
                    }
                },
                {"term": {"keywords": {**exact, "boost": 2.0}}},
                {"term": {"author": {**exact, "boost": 2.0}}},
            ],
            "minimum_should_match": 1,
        }
    }


def test_a_word_looks_in_title_text_entities_keywords_and_author() -> None:
    assert translate(parse("acme")) == word("acme")


def test_a_phrase_matches_in_sequence() -> None:
    assert translate(parse('"Acme  Corp"')) == phrase("Acme Corp")


@pytest.mark.parametrize("term", ["AT&T", "e-bike", "acme.com"])
def test_a_term_of_several_words_is_a_phrase(term: str) -> None:
    assert translate(parse(term)) == phrase(term)


def test_and_is_must_and_exclusions_are_must_not() -> None:
    assert translate(parse('acme globex -"acme brick" NOT tps')) == {
        "bool": {"must": [word("acme"), word("globex")], "must_not": [phrase("acme brick"), word("tps")]}
    }
    assert translate(parse("acme AND globex")) == {"bool": {"must": [word("acme"), word("globex")]}}


def test_or_is_should_with_one_required() -> None:
    assert translate(parse("acme OR globex")) == {
        "bool": {"should": [word("acme"), word("globex")], "minimum_should_match": 1}
    }


def test_precedence_and_groups_nest() -> None:
    query = translate(parse('("Acme" OR "Acme Corp") -"acme brick" OR initech'))
    assert query == {
        "bool": {
            "should": [
                {
                    "bool": {
                        "must": [
                            {
                                "bool": {
                                    "should": [phrase("Acme"), phrase("Acme Corp")],
                                    "minimum_should_match": 1,
                                }
                            }
                        ],
                        "must_not": [phrase("acme brick")],
                    }
                },
                word("initech"),
            ],
            "minimum_should_match": 1,
        }
    }


def test_times_are_utc_milliseconds() -> None:
    assert es_time(START) == "2026-11-24T10:00:00.123Z"
    assert es_time(datetime(2026, 11, 24, 12, tzinfo=UTC).astimezone()) == "2026-11-24T12:00:00.000Z"


def test_without_filters_only_the_window_filters() -> None:
    assert filter_clauses(MentionFilters(), START, END) == [
        {"range": {"published_at": {"gte": "2026-11-24T10:00:00.123Z", "lt": "2026-11-24T12:00:00.123Z"}}}
    ]


def test_each_filter_is_a_terms_clause_on_its_field() -> None:
    filters = MentionFilters(
        brand=[3, 1, 3],
        source=["x", "news"],
        sentiment=["negative"],
        emotion=["joy", "anger"],
        lang=["en"],
        entity=["ORG:Acme"],
        author=["jane"],
    )
    assert filter_clauses(filters, START, END)[1:] == [
        {"terms": {"brand_ids": [1, 3]}},
        {"terms": {"source": ["news", "x"]}},
        {"terms": {"sentiment.label": ["negative"]}},
        {"terms": {"emotion.label": ["anger", "joy"]}},
        {"terms": {"lang": ["en"]}},
        {"terms": {"entity_keys": ["ORG:Acme"]}},
        {"terms": {"author": ["jane"]}},
    ]


def test_the_brand_query_scores_and_the_filters_filter() -> None:
    filters = MentionFilters(q="acme", source=["x"])
    assert mention_query(filters, START, END) == {
        "bool": {"filter": filter_clauses(filters, START, END), "must": [word("acme")]}
    }
    assert "must" not in mention_query(MentionFilters(source=["x"]), START, END)["bool"]


def test_a_cursor_round_trips() -> None:
    cursor = Cursor("relevance", [1.25, 1795518663926, "ab" * 16], START)
    encoded = cursor.encode()
    assert re.fullmatch(r"[A-Za-z0-9_-]+", encoded)  # URL-safe, unpadded
    assert Cursor.decode(encoded, "relevance") == cursor


def test_a_cursor_is_only_good_for_its_own_sort() -> None:
    encoded = Cursor("newest", [1795518663926, "ab" * 16], START).encode()
    with pytest.raises(ApiError) as caught:
        Cursor.decode(encoded, "relevance")
    assert (caught.value.status, caught.value.code) == (400, "invalid_cursor")
    assert "sorted by relevance" in caught.value.message


@pytest.mark.parametrize(
    "after",
    [
        [1795518663926.5, "ab" * 16],  # epoch milliseconds are whole
        [True, "ab" * 16],
        ["1795518663926", "ab" * 16],
        [1795518663926, "AB" * 16],
        [1795518663926],
        [1.5, 1795518663926, "ab" * 16],  # the relevance shape
    ],
)
def test_a_cursor_must_have_the_shape_of_its_sort(after: list[object]) -> None:
    encoded = Cursor("newest", after, START).encode()
    with pytest.raises(ApiError) as caught:
        Cursor.decode(encoded, "newest")
    assert caught.value.code == "invalid_cursor"
