"""Classification scores: accuracy, macro-averaged recall (TweetEval sentiment) and macro-F1 (emotion).

Macro averages run over `labels` (default: every label seen in truth or predictions); a class with no
true or no predicted examples scores 0 for the undefined part, as scikit-learn does by default.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    """The three scores of one prediction run."""

    accuracy: float
    macro_recall: float
    macro_f1: float

    def line(self) -> str:
        """One line, `accuracy=0.700 macro_recall=0.660 macro_f1=0.650`."""
        return (
            f"accuracy={self.accuracy:.3f} macro_recall={self.macro_recall:.3f} macro_f1={self.macro_f1:.3f}"
        )


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _check(truth: Sequence[int], predicted: Sequence[int]) -> None:
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} true labels but {len(predicted)} predictions")
    if not truth:
        raise ValueError("no examples to score")


def accuracy(truth: Sequence[int], predicted: Sequence[int]) -> float:
    """The share of predictions equal to the truth."""
    _check(truth, predicted)
    return sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth)


def per_class(
    truth: Sequence[int], predicted: Sequence[int], labels: Sequence[int] | None = None
) -> dict[int, tuple[float, float]]:
    """Each label's (recall, F1)."""
    _check(truth, predicted)
    hits = Counter(t for t, p in zip(truth, predicted, strict=True) if t == p)
    true_counts, predicted_counts = Counter(truth), Counter(predicted)
    scores = {}
    for label in sorted(set(truth) | set(predicted)) if labels is None else labels:
        recall = _ratio(hits[label], true_counts[label])
        f1 = _ratio(2 * hits[label], true_counts[label] + predicted_counts[label])
        scores[label] = (recall, f1)
    return scores


def macro_recall(
    truth: Sequence[int], predicted: Sequence[int], labels: Sequence[int] | None = None
) -> float:
    """The unweighted mean of the per-class recalls."""
    recalls = [recall for recall, _ in per_class(truth, predicted, labels).values()]
    return sum(recalls) / len(recalls)


def macro_f1(truth: Sequence[int], predicted: Sequence[int], labels: Sequence[int] | None = None) -> float:
    """The unweighted mean of the per-class F1 scores."""
    f1s = [f1 for _, f1 in per_class(truth, predicted, labels).values()]
    return sum(f1s) / len(f1s)


def score(truth: Sequence[int], predicted: Sequence[int], labels: Sequence[int] | None = None) -> Scores:
    """Accuracy, macro recall and macro-F1 together."""
    return Scores(
        accuracy(truth, predicted), macro_recall(truth, predicted, labels), macro_f1(truth, predicted, labels)
    )
