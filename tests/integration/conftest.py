"""Integration fixtures that are expensive: the enrichment models, loaded once per test session."""

import os
from pathlib import Path

import pytest

from brandpulse.settings import Settings
from workers.elastic.enrich import Enricher

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a test must never reach a model hub


@pytest.fixture(scope="session")
def enricher(settings: Settings) -> Enricher:
    """Every enrichment model, loaded once (train them first: `brandpulse models train`)."""
    if not Path(settings.sentiment_model).exists():
        pytest.fail(
            "the sentiment/emotion model is not trained: run `brandpulse models train` (make test does)"
        )
    return Enricher.load(settings)
