"""The stream contract: `Mention` validation and the Redis stream encoding."""

import json
from contextlib import suppress
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brandpulse.contract import (
    MAX_PAYLOAD_BYTES,
    Enrichment,
    InvalidMention,
    Mention,
    StreamFields,
    decode,
    encode,
    mention_id,
)

CHARS = st.characters(codec="utf-8") | st.sampled_from("😀🎉🔥👍🏽\x00\x07\x1b\x7f\u200b\u2028")
MAX_OFFSET = timedelta(hours=23, minutes=59)
aware_datetimes = st.datetimes(  # hypothesis takes naive bounds
    min_value=datetime(1970, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.builds(timezone, st.timedeltas(-MAX_OFFSET, MAX_OFFSET)),
)
json_keys = st.text(CHARS, max_size=8)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(
    json_scalars | st.text(CHARS),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(json_keys, children, max_size=4),
    max_leaves=20,
)
URL_PATTERN = r"https?://[a-z0-9-]{1,20}\.[a-z]{2,6}(/[\w.~%-]*)*"
brand_id_lists = st.lists(st.integers(1, 20) | st.integers(1, 2**63 - 1), max_size=12)


def texts(max_size: int) -> st.SearchStrategy[str]:
    """Unicode text with emoji and control characters."""
    return st.text(CHARS, max_size=max_size)


@st.composite
def mention_fields(draw: st.DrawFn) -> dict[str, Any]:
    """Raw input for a valid Mention, with or without its id."""
    source = draw(st.from_regex(r"[a-z][a-z0-9_-]{0,31}", fullmatch=True))
    external_id = draw(texts(64).filter(lambda s: s and s == s.strip()))
    title, text = draw(st.tuples(texts(100), texts(400)).filter(lambda pair: any(s.strip() for s in pair)))
    fields: dict[str, Any] = {
        "source": source,
        "external_id": external_id,
        "url": draw(st.none() | st.from_regex(URL_PATTERN, fullmatch=True)),
        "title": title,
        "text": text,
        "author": draw(st.none() | texts(256)),
        "lang": draw(st.none() | st.from_regex(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}", fullmatch=True)),
        "published_at": draw(aware_datetimes),
        "fetched_at": draw(aware_datetimes),
        "brand_ids": draw(brand_id_lists),
        "meta": draw(st.dictionaries(json_keys, json_values, max_size=5)),
    }
    if draw(st.booleans()):
        fields["id"] = mention_id(source, external_id)
    return fields


mentions = mention_fields().map(Mention.model_validate)


@given(mentions)
def test_encode_decode_round_trip(mention: Mention) -> None:
    assert decode(encode(mention), Mention) == mention


@given(mentions)
def test_decode_accepts_bytes_from_redis(mention: Mention) -> None:
    assert decode({k.encode(): v.encode() for k, v in encode(mention).items()}, Mention) == mention


@given(mentions)
def test_id_is_derived_from_source_and_external_id(mention: Mention) -> None:
    assert mention.id == mention_id(mention.source, mention.external_id)
    assert decode(encode(mention), Mention).id == mention.id


@given(mention_fields())
def test_datetimes_are_normalised_to_utc(fields: dict[str, Any]) -> None:
    mention = Mention.model_validate(fields)
    decoded = decode(encode(mention), Mention)
    for value in (mention.published_at, mention.fetched_at, decoded.published_at, decoded.fetched_at):
        assert value.tzinfo is UTC
    assert (decoded.published_at, decoded.fetched_at) == (fields["published_at"], fields["fetched_at"])


@given(mention_fields())
def test_brand_ids_are_deduplicated_and_sorted(fields: dict[str, Any]) -> None:
    assert Mention.model_validate(fields).brand_ids == tuple(sorted(set(fields["brand_ids"])))


@given(mention_fields(), st.sampled_from(sorted(Mention.model_fields)), json_values)
def test_decode_raises_only_invalid_mention(fields: dict[str, Any], name: str, value: object) -> None:
    payload = {**Mention.model_validate(fields).model_dump(mode="json"), name: value}
    with suppress(InvalidMention):
        decode({"v": "1", "payload": json.dumps(payload)}, Mention)


def test_mention_id_is_pinned() -> None:
    assert mention_id("hackernews", "123") == "74de175dd65bdd397fe9e43ccb65f2c0"


def valid_payload() -> dict[str, Any]:
    """A valid mention as JSON-ready data."""
    return {
        "source": "hackernews",
        "external_id": "123",
        "url": "https://news.ycombinator.com/item?id=123",
        "title": "Show HN: BrandPulse",
        "published_at": "2024-05-01T12:00:00+02:00",
        "fetched_at": "2024-05-01T10:05:00Z",
    }


def entry(payload: object) -> dict[str, str]:
    """A stream entry carrying `payload` as JSON."""
    return {"v": "1", "payload": json.dumps(payload)}


def reason_of(fields: StreamFields) -> str:
    """The reason `decode` rejects `fields`."""
    with pytest.raises(InvalidMention) as caught:
        decode(fields, Mention)
    assert str(caught.value) == caught.value.reason
    return caught.value.reason


def test_valid_payload_decodes() -> None:
    mention = decode(entry(valid_payload()), Mention)
    assert mention.id == mention_id("hackernews", "123")
    assert mention.published_at == datetime(2024, 5, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param({"published_at": "2024-05-01T12:00"}, ["published_at", "timezone"], id="naive-datetime"),
        pytest.param({"id": "0" * 32}, ["id", "does not match"], id="mismatched-id"),
        pytest.param({"extra": 1}, ["extra", "not permitted"], id="extra-field"),
        pytest.param({"title": " \n", "text": ""}, ["neither title nor text"], id="no-title-or-text"),
        pytest.param({"url": "ftp://example.com/a"}, ["url", "http"], id="bad-url-scheme"),
        pytest.param({"lang": "english"}, ["lang", "pattern"], id="bad-lang"),
        pytest.param({"source": "Hacker News"}, ["source", "pattern"], id="bad-source"),
        pytest.param({"external_id": " 123"}, ["external_id", "whitespace"], id="padded-external-id"),
        pytest.param({"brand_ids": [1, 0]}, ["brand_ids.1", "greater than 0"], id="bad-brand-id"),
        pytest.param({"brand_ids": [2**63]}, ["brand_ids.0", "less than or equal"], id="over-bigint"),
        pytest.param({"meta": {"x": float("nan")}}, ["meta", "JSON"], id="nan-in-meta"),
    ],
)
def test_decode_rejects_invalid_mention(change: dict[str, Any], expected: list[str]) -> None:
    reason = reason_of(entry(valid_payload() | change))
    assert all(part in reason for part in expected), reason


def test_decode_lists_every_error() -> None:
    reason = reason_of(entry(valid_payload() | {"lang": "english", "url": "ftp://x"}))
    assert "url: " in reason
    assert "lang: " in reason


def test_decode_rejects_wrong_version() -> None:
    assert "'2'" in reason_of({"v": "2", "payload": json.dumps(valid_payload())})


def test_decode_rejects_missing_version() -> None:
    assert "version" in reason_of({"payload": json.dumps(valid_payload())})


def test_decode_rejects_missing_payload() -> None:
    assert "'payload'" in reason_of({"v": "1"})


def test_decode_rejects_oversized_payload() -> None:
    payload = valid_payload() | {"text": "x" * MAX_PAYLOAD_BYTES}
    assert "byte limit" in reason_of(entry(payload))


def test_decode_rejects_bad_json() -> None:
    assert "line 1 column 11" in reason_of({"v": "1", "payload": '{"source":'})


def test_decode_rejects_non_utf8() -> None:
    assert "UTF-8" in reason_of({b"v": b"1", b"payload": b'{"title": "\xff"}'})


def test_decode_rejects_non_object() -> None:
    assert "dictionary" in reason_of(entry([1, 2]))


def test_naive_datetime_is_rejected_on_construction() -> None:
    with pytest.raises(ValueError, match="timezone"):
        Mention.model_validate(valid_payload() | {"fetched_at": datetime(2024, 5, 1)})  # noqa: DTZ001


def test_encode_rejects_mention_too_large_for_the_wire() -> None:
    mention = Mention.model_validate(valid_payload() | {"text": "😀" * 100_000})
    with pytest.raises(InvalidMention, match="byte limit"):
        encode(mention)


def an_enrichment(**changes: Any) -> Enrichment:
    fields: dict[str, Any] = {
        "mention_id": mention_id("hackernews", "123"),
        "sentiment": {
            "label": "positive",
            "score": 0.7,
            "probabilities": {"negative": 0.1, "neutral": 0.1, "positive": 0.8},
        },
        "emotion": {
            "label": "joy",
            "probabilities": {"anger": 0.1, "joy": 0.7, "optimism": 0.1, "sadness": 0.1},
        },
        "entities": [{"text": "Acme", "type": "ORG"}],
        "keywords": ["rocket launch"],
        "models": {"sentiment": "brandpulse-minilm@1"},
        "enriched_at": "2026-11-23T12:00:00+01:00",
        **changes,
    }
    return Enrichment.model_validate(fields)


def test_enrichment_round_trips_through_stream_fields() -> None:
    enrichment = an_enrichment()
    as_redis_returns = {k.encode(): v.encode() for k, v in encode(enrichment).items()}
    assert decode(as_redis_returns, Enrichment) == enrichment
    assert enrichment.enriched_at.tzinfo == UTC
    assert [entity.key for entity in enrichment.entities] == ["ORG:Acme"]


def test_enrichment_without_sentiment_says_why() -> None:
    enrichment = an_enrichment(
        sentiment=None, emotion=None, skipped={"sentiment": "language 'de' not covered"}
    )
    assert decode(encode(enrichment), Enrichment).skipped == {"sentiment": "language 'de' not covered"}


@pytest.mark.parametrize(
    "changes",
    [
        {"sentiment": {"label": "great", "score": 0.5, "probabilities": {}}},
        {"sentiment": {"label": "positive", "score": 1.5, "probabilities": {}}},
        {"entities": [{"text": "Acme", "type": "COLOR"}]},
        {"mention_id": "not-an-id"},
    ],
)
def test_a_bad_enrichment_is_invalid(changes: dict[str, Any]) -> None:
    entry = encode(an_enrichment())
    payload = {**json.loads(entry["payload"]), **changes}
    with pytest.raises(InvalidMention):
        decode({"v": "1", "payload": json.dumps(payload)}, Enrichment)


def test_decode_rejects_a_lone_surrogate_but_keeps_a_pair() -> None:
    payload = json.dumps(valid_payload() | {"text": "@@"}).replace("@@", "a\\ud800b")
    assert "lone UTF-16 surrogate" in reason_of({"v": "1", "payload": payload})
    paired = json.dumps(valid_payload() | {"text": "@@"}).replace("@@", "\\ud83d\\ude00")
    assert decode({"v": "1", "payload": paired}, Mention).text == "\U0001f600"
