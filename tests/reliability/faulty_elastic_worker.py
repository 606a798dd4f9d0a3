"""The real elastic worker with two marked faults, for the fault suite's poison entries.

A mention whose text holds `CRASH` makes the keyword model raise, as a model bug would; one holding `REJECT`
gets a field the strict mapping refuses, so Elasticsearch itself rejects that document. Nothing else changes.
"""

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from brandpulse.cli import configure_logging
from brandpulse.settings import get_settings
from workers.elastic import main as elastic
from workers.elastic.enrich import Enricher
from workers.elastic.indexer import Indexer, IndexResult

CRASH = "zxqcrashthemodel"
REJECT = "zxqrejectthisdocument"


def crashing(extract: Callable[..., Any]) -> Callable[..., Any]:
    """`extract`, raising on a batch that holds a CRASH text."""

    def extract_or_crash(texts: Sequence[str], *embeddings: Any) -> Any:
        if any(CRASH in text for text in texts):
            raise RuntimeError("the keyword model crashed on this text")
        return extract(texts, *embeddings)

    return extract_or_crash


def load(settings: Any) -> Enricher:
    """The real models, the keyword one wrapped by `crashing`."""
    enricher = LOAD(settings)
    enricher.keywords.extract = crashing(enricher.keywords.extract)  # type: ignore[method-assign]
    return enricher


class RejectingIndexer(Indexer):
    """The real indexer; a REJECT document gets a field that is not in the mapping."""

    async def index(self, docs: Sequence[tuple[str, str, dict[str, Any]]]) -> IndexResult:
        marked = [
            (i, index, with_unmapped_field(doc) if REJECT in doc["text"] else doc) for i, index, doc in docs
        ]
        return await super().index(marked)


def with_unmapped_field(doc: dict[str, Any]) -> dict[str, Any]:
    return {**doc, "not_in_mapping": 1}


LOAD = Enricher.load

if __name__ == "__main__":
    configure_logging()
    Enricher.load = load  # type: ignore[method-assign]
    elastic.__dict__["Indexer"] = RejectingIndexer  # what `build_worker` constructs
    asyncio.run(elastic.run(get_settings()))
