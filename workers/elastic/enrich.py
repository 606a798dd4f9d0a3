"""Batched enrichment: sentiment and emotion, entities and keywords for a batch of mentions.

Each model runs once per batch. With two or more `enrich_threads`, the classifier and the keyword model run
side by side on threads of their own (torch releases the GIL) while spaCy runs on the calling thread (see
`runtime.model_threads`). Where the classifier shares its lower layers with the embedding model
(`shared_pass`), one pass gives both, on the two threads for one half of the batch each, and KeyBERT then
ranks the candidates against the document embeddings it gave. A mention in a language the models do not
cover keeps its language and skips the model steps (recorded in `Enrichment.skipped`). If a batched call
fails, the batch is retried one mention at a time so that only the mention that breaks a model fails.
"""

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar, cast

import numpy as np
import torch
from numpy.typing import NDArray

from brandpulse.contract import Emotion, Enrichment, Entity, Mention, Sentiment
from brandpulse.settings import Settings
from workers import metrics
from workers.elastic import runtime
from workers.elastic.classify import Classifier
from workers.elastic.entities import EntityExtractor
from workers.elastic.keywords import MAX_CHARS, KeywordExtractor
from workers.elastic.shared_pass import SharedPass, shared_layers
from workers.elastic.text import clean, document

log = logging.getLogger(__name__)
STEPS = ("sentiment", "emotion", "entities", "keywords")
Derived = tuple[Sentiment | None, Emotion | None, tuple[Entity, ...], tuple[str, ...]]
Vectors = NDArray[np.float32]
A = TypeVar("A")
T = TypeVar("T")


@dataclass(frozen=True)
class Failed:
    """A mention the models could not enrich, and why."""

    reason: str


class Enricher:
    """Runs every model over a batch of mentions; load it once per process."""

    def __init__(
        self,
        classifier: Classifier,
        entities: EntityExtractor,
        keywords: KeywordExtractor,
        languages: Sequence[str],
        *,
        side_by_side: bool = False,
        shared: SharedPass | None = None,
    ) -> None:
        self.classifier, self.entities, self.keywords = classifier, entities, keywords
        self.languages = frozenset(languages)
        self.shared = shared
        self._pool = ThreadPoolExecutor(2, thread_name_prefix="enrich") if side_by_side else None
        self.models = {
            **classifier.model_versions,
            "entities": entities.version,
            "keywords": keywords.version,
        }

    @classmethod
    def load(cls, settings: Settings) -> "Enricher":
        """Load every model named in the settings (the slow part: seconds); sets torch's thread count."""
        side_by_side, threads = runtime.model_threads(settings.enrich_threads)
        torch.set_num_threads(threads)  # process-wide: every torch thread in the process uses it
        classifier, keywords = Classifier(settings), KeywordExtractor(settings)
        model, shared = classifier.model, None
        layers = shared_layers(model, keywords.model) if model is not None else 0
        if model is not None and layers:
            shared = SharedPass(keywords.model, model, layers, classifier.dtype)
        log.info("classifier and keyword model share %d layers", layers)
        return cls(
            classifier,
            EntityExtractor(settings),
            keywords,
            settings.enrich_languages,
            side_by_side=side_by_side > 1,
            shared=shared,
        )

    def enrich(self, mentions: Sequence[Mention]) -> list[Enrichment | Failed]:
        """One result per mention, in order; a failure affects only the mention that caused it."""
        covered = [m for m in mentions if self.covers(m.lang)]
        try:
            derived: dict[str, Derived | Failed] = dict(
                zip((m.id for m in covered), self._run(covered), strict=True)
            )
        except Exception:  # isolate the mention that breaks a model
            log.exception("batched enrichment failed; retrying %d mentions one by one", len(covered))
            derived = {m.id: self._run_one(m) for m in covered}
        now = datetime.now(UTC)
        return [self._result(m, derived.get(m.id), now) for m in mentions]

    def covers(self, lang: str | None) -> bool:
        """Whether the models cover a language (an unknown language is tried)."""
        return lang is None or lang.split("-")[0] in self.languages

    def _run(self, mentions: Sequence[Mention]) -> list[Derived]:
        texts = [document(clean(m.title), clean(m.text)) for m in mentions]
        if not texts:
            return []
        if self.shared is not None:
            return self._run_shared(self.shared, texts)
        labels = self._start(metrics.timed("classifier", self.classifier.predict), texts)
        keywords = self._start(metrics.timed("keywords", self.keywords.extract), texts)
        try:
            entities = metrics.timed("entities", self.entities.extract)(texts)
        finally:  # never leave a model running when this call ends: the retry would run it again at once
            wait(cast(list[Future[object]], [labels, keywords]))
        return [
            (s, e, ents, kws)
            for (s, e), ents, kws in zip(labels.result(), entities, keywords.result(), strict=True)
        ]

    def _run_shared(self, shared: SharedPass, texts: list[str]) -> list[Derived]:
        rows = [index for index, text in enumerate(texts) if text.strip()]
        heads = [texts[row][:MAX_CHARS] for row in rows]  # what the keyword model embeds
        order = sorted(range(len(heads)), key=lambda index: len(heads[index]))
        halves = [order[0::2], order[1::2]]  # about the same number of tokens each
        missing = self.keywords.uncached(heads)
        shares = [missing[0::2], missing[1::2]]  # candidates to embed, one share per half

        def run(job: tuple[list[str], list[str]]) -> tuple[tuple[Vectors, torch.Tensor], Vectors]:
            docs, words = job
            return shared.run(docs), self.keywords.embed(words)

        jobs = [
            self._start(metrics.timed("shared_pass", run), ([heads[i] for i in half], share))
            for half, share in zip(halves, shares, strict=True)
        ]
        try:
            entities = metrics.timed("entities", self.entities.extract)(texts)
        finally:
            wait(cast(list[Future[object]], jobs))
        embeddings = np.empty((len(heads), shared.width), np.float32)
        logits = torch.empty(len(heads), shared.logits_width)
        words: dict[str, Vectors] = {}
        for half, share, done in zip(halves, shares, jobs, strict=True):
            (embeddings[half], logits[half]), vectors = done.result()
            words.update(zip(share, vectors, strict=True))
        labels: list[tuple[Sentiment | None, Emotion | None]] = [(None, None)] * len(texts)
        keywords: list[tuple[str, ...]] = [()] * len(texts)

        def rank(batch: Sequence[str]) -> list[tuple[str, ...]]:
            return self.keywords.extract(batch, embeddings, words)

        found = metrics.timed("keywords", rank)([texts[row] for row in rows])
        for row, label, words_found in zip(rows, self.classifier.labels([logits]), found, strict=True):
            labels[row], keywords[row] = label, words_found
        return [(s, e, ents, kws) for (s, e), ents, kws in zip(labels, entities, keywords, strict=True)]

    def _start(self, model: Callable[[A], T], argument: A) -> "Future[T]":
        """`model(argument)` on a thread of the pool, or at once on this thread when there is no pool."""
        if self._pool is not None:
            return self._pool.submit(model, argument)
        done: Future[T] = Future()
        try:
            done.set_result(model(argument))
        except Exception as error:  # raised by .result(), as from the pool
            done.set_exception(error)
        return done

    def _run_one(self, mention: Mention) -> Derived | Failed:
        try:
            return self._run([mention])[0]
        except Exception as error:  # reported as this mention's dead-letter reason
            return Failed(f"{type(error).__name__}: {error}")

    def _result(
        self, mention: Mention, derived: Derived | Failed | None, now: datetime
    ) -> Enrichment | Failed:
        if isinstance(derived, Failed):
            return derived
        if derived is None:
            why = f"language {mention.lang!r} not covered"
            return Enrichment(mention_id=mention.id, skipped=dict.fromkeys(STEPS, why), enriched_at=now)
        sentiment, emotion, entities, keywords = derived
        missing = {"sentiment": sentiment, "emotion": emotion}  # None only when no text is left
        return Enrichment(
            mention_id=mention.id,
            sentiment=sentiment,
            emotion=emotion,
            entities=entities,
            keywords=keywords,
            models=self.models,
            skipped={
                step: "no text left after removing markup and links"
                for step, v in missing.items()
                if v is None
            },
            enriched_at=now,
        )
