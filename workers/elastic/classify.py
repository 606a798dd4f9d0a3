"""Sentiment and emotion of texts, from Hugging Face sequence-classification models.

A step's labels are found in the model's `config.id2label` (case-insensitive), in this order:
1. `sentiment:<label>` / `emotion:<label>`: one head per prefix (our multi-task `tweet-minilm`);
2. plain names: a model whose labels include all of the step's labels (`negative`, `neutral`, `positive`;
   `anger`, `joy`, `optimism`, `sadness`) serves the step, other labels are ignored;
3. generic `LABEL_0`, `LABEL_1`, ...: 3 labels are sentiment, by index negative, neutral, positive (the
   Twitter-RoBERTa convention); 4 labels are emotion in TweetEval order anger, joy, optimism, sadness.
Each step's probabilities are a softmax over its own logits only. When both steps name the same model, it is
loaded once and one forward pass per batch serves both.
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast, get_args

import torch
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from brandpulse.contract import Emotion, EmotionLabel, Sentiment, SentimentLabel
from brandpulse.settings import Settings
from workers.elastic import runtime

Step = Literal["sentiment", "emotion"]
STEP_LABELS: dict[Step, tuple[str, ...]] = {
    "sentiment": get_args(SentimentLabel),
    "emotion": get_args(EmotionLabel),
}


def head_columns(id2label: Mapping[int, str] | Mapping[str, str], step: Step) -> list[int] | None:
    """The logit column of each of the step's labels (in contract order), or None if the model has none."""
    wanted = STEP_LABELS[step]
    names = {label.lower(): int(index) for index, label in id2label.items()}
    for prefix in (f"{step}:", ""):
        if all(prefix + label in names for label in wanted):
            return [names[prefix + label] for label in wanted]
    if sorted(names) == [f"label_{index}" for index in range(len(wanted))]:
        return [names[f"label_{index}"] for index in range(len(wanted))]
    return None


def batched_logits(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    *,
    max_length_tokens: int,
    batch_size: int = 64,
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """The logits of `texts`, row i for text i; run in sub-batches of similar length (little padding).

    `dtype` autocasts the forward pass (see `runtime.prepare`); the logits are float32 either way.
    """
    order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
    logits = torch.empty(len(texts), len(model.config.id2label or ()))
    with runtime.inference(model.device, dtype):
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            inputs = tokenizer(
                [texts[row] for row in rows],
                padding=True,
                truncation=True,
                max_length=max_length_tokens,
                return_tensors="pt",
            ).to(model.device)
            logits[rows] = model(**inputs).logits.float().cpu()
    return logits


@dataclass(frozen=True)
class _Loaded:
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    heads: dict[Step, list[int]]  # step -> its logit columns
    version: str
    dtype: torch.dtype | None  # to autocast its forward pass to


def _version(name: str, model: PreTrainedModel, precision: runtime.Precision) -> str:
    """`name@version[+precision]`: the folder (or hub) name, the training hash `brandpulse models train`
    stores in the config (else a hash of the config), and the precision when it is not float32."""
    config = model.config
    version = getattr(config, "brandpulse_version", None)
    version = version or hashlib.sha256(config.to_json_string().encode()).hexdigest()[:12]
    shown = Path(name).name if Path(name).exists() else name
    return f"{shown}@{version}{runtime.suffix(precision)}"


def _load(name: str, steps: list[Step], device: torch.device, precision: runtime.Precision) -> _Loaded:
    model = AutoModelForSequenceClassification.from_pretrained(name, local_files_only=True).eval()
    labels = model.config.id2label or {}
    heads: dict[Step, list[int]] = {}
    for step in steps:
        columns = head_columns(labels, step)
        if columns is None:
            raise ValueError(f"model {name!r} has no {step} labels (its labels: {list(labels.values())})")
        heads[step] = columns
    tokenizer = AutoTokenizer.from_pretrained(name, local_files_only=True)
    dtype = runtime.prepare(model.to(device), device, precision)
    return _Loaded(model, tokenizer, heads, _version(name, model, runtime.resolve(device, precision)), dtype)


class Classifier:
    """Sentiment and emotion from the models named by `settings.sentiment_model` / `emotion_model`.

    Models load from local files only (a hub name must already be in the local cache). Up to `batch_size`
    texts of similar length run per forward pass (16 was fastest for calls of 64 tweets on 2 CPU cores).
    `settings.enrich_precision` picks the number format (see `runtime`). The caller sets torch's thread
    count (`Enricher.load`, the `models` commands).
    """

    def __init__(self, settings: Settings, *, batch_size: int = 16) -> None:
        device = runtime.device(settings.enrich_device)
        self._max_length_tokens = settings.enrich_max_length_tokens
        self._batch_size = batch_size
        steps: dict[Step, str] = {"sentiment": settings.sentiment_model, "emotion": settings.emotion_model}
        precision = settings.enrich_precision
        self._loaded = [
            _load(name, [step for step, model in steps.items() if model == name], device, precision)
            for name in dict.fromkeys(steps.values())
        ]
        self.model_versions: dict[str, str] = {
            step: loaded.version for loaded in self._loaded for step in loaded.heads
        }

    @property
    def dtype(self) -> torch.dtype | None:
        """What the forward passes autocast to (None: float32)."""
        return self._loaded[0].dtype

    @property
    def model(self) -> PreTrainedModel | None:
        """The model, when one serves both steps (else None)."""
        return self._loaded[0].model if len(self._loaded) == 1 else None

    def predict(self, texts: Sequence[str]) -> list[tuple[Sentiment | None, Emotion | None]]:
        """Each text's sentiment and emotion, in input order; (None, None) for a blank text."""
        rows = [index for index, text in enumerate(texts) if text.strip()]
        logits = [
            batched_logits(
                loaded.model,
                loaded.tokenizer,
                [texts[row] for row in rows],
                max_length_tokens=self._max_length_tokens,
                batch_size=self._batch_size,
                dtype=loaded.dtype,
            )
            for loaded in self._loaded
        ]
        results: list[tuple[Sentiment | None, Emotion | None]] = [(None, None)] * len(texts)
        for row, result in zip(rows, self.labels(logits), strict=True):
            results[row] = result
        return results

    def labels(self, logits: Sequence[torch.Tensor]) -> list[tuple[Sentiment, Emotion]]:
        """Sentiment and emotion from each loaded model's logits (one tensor per model, a row per text)."""
        probabilities: dict[Step, list[list[float]]] = {}
        for loaded, model_logits in zip(self._loaded, logits, strict=True):
            for step, columns in loaded.heads.items():
                probabilities[step] = model_logits[:, columns].softmax(-1).tolist()
        return [
            (_sentiment(sentiment), _emotion(emotion))
            for sentiment, emotion in zip(probabilities["sentiment"], probabilities["emotion"], strict=True)
        ]


def _distribution(step: Step, values: list[float]) -> dict[str, float]:
    return {label: round(value, 4) for label, value in zip(STEP_LABELS[step], values, strict=True)}


def _sentiment(values: list[float]) -> Sentiment:
    probabilities = cast(dict[SentimentLabel, float], _distribution("sentiment", values))
    score = round(probabilities["positive"] - probabilities["negative"], 4)
    return Sentiment(
        label=max(probabilities, key=probabilities.__getitem__), score=score, probabilities=probabilities
    )


def _emotion(values: list[float]) -> Emotion:
    probabilities = cast(dict[EmotionLabel, float], _distribution("emotion", values))
    return Emotion(label=max(probabilities, key=probabilities.__getitem__), probabilities=probabilities)
