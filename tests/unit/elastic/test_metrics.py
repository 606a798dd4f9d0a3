"""Accuracy, macro recall and macro-F1, checked against hand-computed values."""

import pytest

from workers.elastic.metrics import Scores, accuracy, macro_f1, macro_recall, per_class, score

TRUTH = [0, 0, 0, 1, 1, 2]
PREDICTED = [0, 0, 1, 1, 2, 2]


def test_accuracy_is_the_share_of_hits() -> None:
    assert accuracy(TRUTH, PREDICTED) == pytest.approx(4 / 6)


def test_per_class_recall_and_f1() -> None:
    assert per_class(TRUTH, PREDICTED) == {
        0: pytest.approx((2 / 3, 0.8)),
        1: pytest.approx((1 / 2, 0.5)),
        2: pytest.approx((1.0, 2 / 3)),
    }


def test_macro_scores_are_unweighted_means() -> None:
    assert macro_recall(TRUTH, PREDICTED) == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)
    assert macro_f1(TRUTH, PREDICTED) == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)


def test_a_label_never_seen_counts_as_zero_when_listed() -> None:
    assert macro_recall([0, 0], [0, 0], labels=range(2)) == pytest.approx(0.5)
    assert macro_f1([0, 0], [0, 0], labels=range(2)) == pytest.approx(0.5)
    assert macro_recall([0, 0], [0, 0]) == 1.0


def test_majority_class_guessing_scores_low_on_macro_metrics() -> None:
    truth = [0] * 8 + [1, 2]
    scores = score(truth, [0] * 10, labels=range(3))
    assert scores.accuracy == pytest.approx(0.8)
    assert scores.macro_recall == pytest.approx(1 / 3)


def test_score_line_format() -> None:
    assert Scores(0.7, 0.66, 0.65).line() == "accuracy=0.700 macro_recall=0.660 macro_f1=0.650"


@pytest.mark.parametrize(("truth", "predicted"), [([0, 1], [0]), ([], [])])
def test_mismatched_or_empty_inputs_are_rejected(truth: list[int], predicted: list[int]) -> None:
    with pytest.raises(ValueError, match=r"examples|predictions"):
        score(truth, predicted)
