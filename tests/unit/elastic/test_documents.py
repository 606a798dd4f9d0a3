"""Index names of both layouts, and the document shape against the `mentions` index template."""

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from brandpulse.contract import Emotion, Enrichment, Entity, Mention, Sentiment
from brandpulse.es_indices import TEMPLATE, index_name, template
from brandpulse.settings import Settings
from workers.elastic.documents import document

PUBLISHED = datetime(2024, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-2)))  # 2025-01-01 01:30 UTC
NOW = datetime(2025, 1, 2, tzinfo=UTC)


def enriched_mention() -> tuple[Mention, Enrichment]:
    mention = Mention(
        source="rss",
        external_id="item-1",
        url="https://example.com/1",
        title="Acme launches a phone",
        text="Acme launched the A1 in Zürich.",
        author="jane",
        lang="en",
        published_at=PUBLISHED,
        fetched_at=NOW,
        brand_ids=(7, 3),
        meta={"feed": {"name": "tech"}},
    )
    enrichment = Enrichment(
        mention_id=mention.id,
        sentiment=Sentiment(
            label="positive", score=0.6, probabilities={"negative": 0.1, "neutral": 0.2, "positive": 0.7}
        ),
        emotion=Emotion(
            label="joy", probabilities={"anger": 0.1, "joy": 0.6, "optimism": 0.2, "sadness": 0.1}
        ),
        entities=(Entity(text="Acme", type="ORG"), Entity(text="Zürich", type="GPE")),
        keywords=("phone launch",),
        models={"sentiment": "tweet-minilm@1"},
        skipped={"keywords": "disabled"},
        enriched_at=NOW,
    )
    return mention, enrichment


def assert_same_fields(value: Any, mapping: dict[str, Any], path: str = "") -> None:
    """Every field of `value` is mapped and every mapped field is present, down through objects."""
    properties = mapping["properties"]
    assert set(value) == set(properties), path or "top level"
    for name, child in value.items():
        field = properties[name]
        children = child if isinstance(child, list) else [child]
        for item in children:
            if "properties" in field and item is not None:
                assert_same_fields(item, field, f"{path}{name}.")


@pytest.mark.parametrize(("layout", "expected"), [("single", "brand-v1"), ("monthly", "brand-2025.01")])
def test_index_name_by_layout(layout: str, expected: str) -> None:
    settings = Settings(es_alias="brand", es_index_layout=layout)
    assert index_name(settings, PUBLISHED) == expected


def test_the_document_has_exactly_the_mapped_fields() -> None:
    mention, enrichment = enriched_mention()
    doc = document(mention, enrichment, NOW)
    assert_same_fields(doc, json.loads(TEMPLATE.read_text())["template"]["mappings"])
    assert json.loads(json.dumps(doc)) == doc


def test_the_document_carries_ids_dates_and_flat_entity_keys() -> None:
    mention, enrichment = enriched_mention()
    doc = document(mention, enrichment, NOW)
    assert doc["mention_id"] == mention.id
    assert doc["published_at"] == "2025-01-01T01:30:00+00:00"
    assert doc["brand_ids"] == [3, 7]
    assert doc["entity_keys"] == ["ORG:Acme", "GPE:Zürich"]
    assert doc["sentiment"]["probabilities"]["positive"] == 0.7


def test_steps_that_did_not_apply_are_null() -> None:
    mention, enrichment = enriched_mention()
    bare = enrichment.model_copy(update={"sentiment": None, "emotion": None, "entities": ()})
    doc = document(mention, bare, NOW)
    assert (doc["sentiment"], doc["emotion"], doc["entity_keys"]) == (None, None, [])


def test_an_enrichment_of_another_mention_is_refused() -> None:
    mention, enrichment = enriched_mention()
    with pytest.raises(ValueError, match="does not belong"):
        document(mention, enrichment.model_copy(update={"mention_id": "0" * 32}), NOW)


def test_the_template_file_is_the_default_alias_template() -> None:
    assert template(Settings(es_alias="mentions")) == json.loads(TEMPLATE.read_text())
    other = template(Settings(es_alias="brand"))
    assert (other["index_patterns"], other["template"]["aliases"]) == (["brand-*"], {"brand": {}})
