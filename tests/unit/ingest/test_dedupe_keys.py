"""Dedupe keys: canonical URLs, text fingerprints and the keys of a mention."""

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brandpulse.contract import Mention
from ingest.dedupe import MIN_FINGERPRINT_CHARS, canonical_url, dedupe_keys, fingerprint, normalise_text

STORY = "Acme recalls 120,000 e-bikes over a battery fire risk"
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def mention(**fields: Any) -> Mention:
    defaults: dict[str, Any] = {"source": "rss", "external_id": "1", "text": STORY}
    return Mention(**{**defaults, **fields}, published_at=NOW, fetched_at=NOW)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a", "https://example.com/a"),
        ("HTTPS://Example.COM/a", "https://example.com/a"),
        ("https://example.com/Case/Kept", "https://example.com/Case/Kept"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com:/a", "https://example.com/a"),
        ("https://example.com/a/", "https://example.com/a"),
        ("https://example.com/", "https://example.com"),
        ("https://example.com", "https://example.com"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a/?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?utm_source=x&utm_medium=rss&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?UTM_Campaign=x&fbclid=abc&gclid=def", "https://example.com/a"),
        ("https://example.com/a?fbclids=1&gclid2=2", "https://example.com/a?fbclids=1&gclid2=2"),
        ("https://example.com/a?utm_source", "https://example.com/a"),
        ("https://example.com/a?&&b=&a", "https://example.com/a?a&b="),
        ("https://example.com/a?q=caf%C3%A9&p=a+b", "https://example.com/a?p=a+b&q=caf%C3%A9"),
        ("https://example.com/a?", "https://example.com/a"),
        ("https://User:Pw@Example.com:443/a", "https://User:Pw@example.com/a"),
        ("http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"),
        ("http://[2001:db8::1]:8080/a", "http://[2001:db8::1]:8080/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_rejects_a_relative_url() -> None:
    with pytest.raises(ValueError, match="not an absolute URL"):
        canonical_url("/a/b?c=1")


PARAMS = st.lists(st.from_regex(r"[a-z_]{1,6}=[a-z0-9%+]{0,4}", fullmatch=True), max_size=6)


@given(PARAMS, st.randoms())
def test_canonical_url_is_idempotent_and_ignores_param_order(params: list[str], rng: random.Random) -> None:
    url = "https://Example.com/x/?" + "&".join(params)
    shuffled = "https://example.com:443/x?" + "&".join(rng.sample(params, len(params))) + "#top"
    assert canonical_url(canonical_url(url)) == canonical_url(url)
    assert canonical_url(shuffled) == canonical_url(url)


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("", "Acme recalls e-bikes", "acme recalls e-bikes"),
        ("Acme", "recalls e-bikes", "acme recalls e-bikes"),
        ("  ACME\n", "\trecalls   E-Bikes  ", "acme recalls e-bikes"),
        ("", "Acme\u00a0recalls\u2003e-bikes", "acme recalls e-bikes"),  # no-break and em spaces
        ("", "STRASSE Straße", "strasse strasse"),  # casefold, not lower
        ("", "\ufb01ne \uff21\uff43\uff4d\uff45", "fine acme"),  # NFKC: ligature and full-width letters
    ],
)
def test_normalise_text(title: str, text: str, expected: str) -> None:
    assert normalise_text(title, text) == expected


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (("", STORY), ("", STORY), True),
        (("", STORY), ("", f"  {STORY.upper()}\n"), True),
        (("Acme recalls", "120,000 e-bikes over a battery fire risk"), ("", STORY), True),
        (("", STORY), ("", STORY + "!"), False),
        (("", STORY), ("", STORY.replace("120,000", "12,000")), False),
    ],
)
def test_fingerprint(first: tuple[str, str], second: tuple[str, str], same: bool) -> None:
    assert (fingerprint(normalise_text(*first)) == fingerprint(normalise_text(*second))) is same


def test_fingerprint_is_32_hex_chars() -> None:
    assert len(fingerprint(STORY)) == 32
    assert int(fingerprint(STORY), 16) >= 0


@pytest.mark.parametrize(
    ("fields", "kinds"),
    [
        ({}, ["id", "text"]),
        ({"url": "https://example.com/a"}, ["id", "url", "text"]),
        ({"text": "Acme is down again"}, ["id"]),  # too short to say two authors copied each other
        ({"title": "Acme is down again", "text": "Since this morning, in Berlin"}, ["id", "text"]),
    ],
)
def test_dedupe_keys_kinds(fields: dict[str, Any], kinds: list[str]) -> None:
    assert [key.partition(":")[0] for key in dedupe_keys(mention(**fields))] == kinds


def test_dedupe_keys_values() -> None:
    keys = dedupe_keys(
        mention(source="reddit", external_id="t3_abc", url="https://Example.com/a/?utm_source=x")
    )
    assert keys == (
        "id:reddit:t3_abc",
        "url:https://example.com/a",
        f"text:{fingerprint(normalise_text('', STORY))}",
    )


def test_short_text_threshold() -> None:
    assert len(normalise_text("", "Acme is down again")) < MIN_FINGERPRINT_CHARS <= len(STORY)
