"""The arithmetic of alert rules, free of I/O: evaluation windows, threshold checks and verdicts.

Windows slide: each evaluation looks at the `window_s` seconds before the latest tick of a grid of
`alert_every_s` seconds from the epoch, so every process computes the same window end in the same tick
and `(rule, window end)` names one evaluation. A rule fires at most once per window length: the
evaluator skips a window that overlaps the rule's last alert.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import fmean, pstdev
from typing import Any, Final, Literal

RuleKind = Literal["negative_share", "volume_spike"]
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
BASELINE_WINDOWS: Final = 12  # a volume spike compares a window with the 12 before it
DEFAULT_SHARE: Final = 0.5  # the first product's default: over 50 % negative in 5 minutes
DEFAULT_WINDOW_S: Final[dict[RuleKind, int]] = {"negative_share": 300, "volume_spike": 3600}
MAX_SIGMAS: Final = 100.0


@dataclass(frozen=True)
class Window:
    """The half-open interval [start, end) an evaluation counts mentions in."""

    start: datetime
    end: datetime


def evaluation_window(now: datetime, every_s: float, window_s: int) -> Window:
    """The `window_s` seconds before the latest tick of the `every_s` grid at or before `now`."""
    step_us = max(1, round(every_s * 1_000_000))
    elapsed_us = (now - EPOCH) // timedelta(microseconds=1)
    end = EPOCH + timedelta(microseconds=elapsed_us // step_us * step_us)
    return Window(end - timedelta(seconds=window_s), end)


def check_threshold(kind: RuleKind, threshold: float) -> None:
    """ValueError unless `threshold` makes sense for `kind` (a share, or a number of standard deviations)."""
    if not math.isfinite(threshold):
        raise ValueError("threshold must be a finite number")
    if kind == "negative_share" and not 0 <= threshold < 1:
        raise ValueError("a negative_share threshold is a share: at least 0 and below 1")
    if kind == "volume_spike" and not 0 < threshold <= MAX_SIGMAS:
        raise ValueError(
            f"a volume_spike threshold is k standard deviations: above 0, at most {MAX_SIGMAS:g}"
        )


def negative_share(negative: int, labelled: int, threshold: float, min_count: int) -> dict[str, Any] | None:
    """What triggered the alert when more than `threshold` of at least `min_count` labelled mentions are
    negative; None when the rule does not fire."""
    if labelled == 0 or labelled < min_count:
        return None
    share = negative / labelled
    if share <= threshold:
        return None
    return {"negative": negative, "labelled": labelled, "share": round(share, 4), "threshold": threshold}


def window_counts(rows: Iterable[tuple[int, int]], windows: int) -> list[int]:
    """Counts per window, newest first, from (windows before the current one, count) rows; gaps are 0."""
    counts = [0] * windows
    for index, count in rows:
        if 0 <= index < windows:
            counts[index] += count
    return counts


def volume_spike(counts: Sequence[int], sigmas: float, min_count: int) -> dict[str, Any] | None:
    """What triggered the alert when the newest count is at least `min_count` and above the mean of the
    others plus `sigmas` standard deviations; None when the rule does not fire.

    With a flat baseline (deviation 0) any count above the mean fires, so `min_count` is what keeps a
    quiet brand's first few mentions from alerting.
    """
    current, baseline = counts[0], counts[1:]
    if not baseline or current < min_count:
        return None
    mean, sigma = fmean(baseline), pstdev(baseline)
    limit = mean + sigmas * sigma
    if current <= limit:
        return None
    return {
        "count": current,
        "baseline": list(baseline),
        "baseline_mean": round(mean, 3),
        "baseline_sigma": round(sigma, 3),
        "sigmas": sigmas,
        "limit": round(limit, 3),
    }
