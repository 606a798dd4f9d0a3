"""The trained sentiment/emotion model, shared with the rest of the session through `enricher`, and the
shipped embedding model in float32, as loaded (the enricher's holds its linear weights in its precision)."""

import pytest
from sentence_transformers import SentenceTransformer

from brandpulse.settings import Settings
from workers.elastic.classify import Classifier
from workers.elastic.enrich import Enricher
from workers.elastic.keywords import embedding_model


@pytest.fixture(scope="session")
def classifier(enricher: Enricher) -> Classifier:
    return enricher.classifier


@pytest.fixture(scope="session")
def float32_embedder(settings: Settings) -> SentenceTransformer:
    return embedding_model(settings)
