"""The trained sentiment/emotion model, shared with the rest of the session through `enricher`."""

import pytest

from workers.elastic.classify import Classifier
from workers.elastic.enrich import Enricher


@pytest.fixture(scope="session")
def classifier(enricher: Enricher) -> Classifier:
    return enricher.classifier
