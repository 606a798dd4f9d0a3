"""The enricher: models side by side on threads give what they give one after the other."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from brandpulse.contract import Enrichment, Mention
from workers.elastic.enrich import Enricher, Failed

TEXTS = (
    "Apple unveiled the iPhone 17 in Cupertino on Tuesday, and Tim Cook called it the best iPhone ever.",
    "Terrible service from Acme, my order arrived broken and nobody answers",
    "Tesla will publish its quarterly report on Wednesday",
    "<p>Loving the new <b>Nike</b> shoes https://example.com/x</p>",
    "https://example.com/only-a-link",
)


def mentions(texts: Sequence[str]) -> list[Mention]:
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    return [
        Mention(
            source="simulator", external_id=str(n), text=text, lang="en", published_at=now, fetched_at=now
        )
        for n, text in enumerate(texts)
    ]


def labels(result: Enrichment | Failed) -> tuple[object, ...]:
    assert isinstance(result, Enrichment)
    sentiment, emotion = result.sentiment, result.emotion
    return (
        sentiment and sentiment.label,
        emotion and emotion.label,
        result.entities,
        result.keywords,
        result.skipped,
    )


@pytest.fixture
def one_at_a_time(enricher: Enricher) -> Enricher:
    """The session's models, run one after the other on the calling thread."""
    return Enricher(enricher.classifier, enricher.entities, enricher.keywords, ["en"], side_by_side=False)


def test_side_by_side_gives_what_one_at_a_time_gives(enricher: Enricher, one_at_a_time: Enricher) -> None:
    batch = mentions(TEXTS)
    assert [labels(r) for r in enricher.enrich(batch)] == [labels(r) for r in one_at_a_time.enrich(batch)]


@pytest.mark.parametrize("shared", [True, False])
@pytest.mark.parametrize("side_by_side", [True, False])
def test_a_model_failing_on_one_mention_fails_only_that_mention(
    enricher: Enricher, monkeypatch: pytest.MonkeyPatch, side_by_side: bool, shared: bool
) -> None:
    subject = Enricher(
        enricher.classifier,
        enricher.entities,
        enricher.keywords,
        ["en"],
        side_by_side=side_by_side,
        shared=enricher.shared if shared else None,
    )
    extract = enricher.keywords.extract

    def breaks_on_poison(texts: Sequence[str], *embeddings: Any) -> list[tuple[str, ...]]:
        if any("poison" in text for text in texts):
            raise RuntimeError("keyword model broke")
        return extract(texts, *embeddings)

    monkeypatch.setattr(enricher.keywords, "extract", breaks_on_poison)
    results = subject.enrich(mentions([TEXTS[0], "poison pill", TEXTS[1]]))
    assert results[1] == Failed("RuntimeError: keyword model broke")
    assert all(isinstance(result, Enrichment) and result.keywords for result in (results[0], results[2]))
