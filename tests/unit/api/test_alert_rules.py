"""Alert-rule arithmetic: windows on the evaluation grid, thresholds per kind, and the two verdicts."""

from datetime import UTC, datetime, timedelta

import pytest

from api.alert_rules import (
    check_threshold,
    evaluation_window,
    negative_share,
    volume_spike,
    window_counts,
)

NOW = datetime(2026, 11, 24, 12, 7, 42, 123456, tzinfo=UTC)


def test_the_window_ends_on_the_latest_tick_of_the_grid() -> None:
    window = evaluation_window(NOW, 60, 300)
    assert window.end == datetime(2026, 11, 24, 12, 7, tzinfo=UTC)
    assert window.start == window.end - timedelta(minutes=5)


def test_every_instant_of_a_tick_names_the_same_window() -> None:
    tick = datetime(2026, 11, 24, 12, 7, tzinfo=UTC)
    windows = {evaluation_window(tick + timedelta(seconds=s), 60, 300) for s in (0, 1, 30, 59.999999)}
    assert len(windows) == 1
    assert evaluation_window(tick - timedelta(microseconds=1), 60, 300).end == tick - timedelta(minutes=1)


def test_sub_second_ticks_and_other_timezones() -> None:
    assert evaluation_window(NOW, 0.25, 60).end == datetime(2026, 11, 24, 12, 7, 42, tzinfo=UTC)
    local = NOW.astimezone(datetime.now(UTC).astimezone().tzinfo)
    assert evaluation_window(local, 60, 300) == evaluation_window(NOW, 60, 300)


@pytest.mark.parametrize(
    ("kind", "threshold", "valid"),
    [
        ("negative_share", 0.0, True),
        ("negative_share", 0.5, True),
        ("negative_share", 1.0, False),  # a share is never above 1
        ("negative_share", -0.1, False),
        ("negative_share", float("nan"), False),
        ("volume_spike", 3.0, True),
        ("volume_spike", 0.0, False),
        ("volume_spike", 101.0, False),
        ("volume_spike", float("inf"), False),
    ],
)
def test_thresholds_are_checked_per_kind(kind: str, threshold: float, valid: bool) -> None:
    if valid:
        check_threshold(kind, threshold)  # type: ignore[arg-type]
    else:
        with pytest.raises(ValueError, match="threshold"):
            check_threshold(kind, threshold)  # type: ignore[arg-type]


def test_negative_share_fires_only_above_the_threshold() -> None:
    assert negative_share(6, 10, 0.5, 10) == {"negative": 6, "labelled": 10, "share": 0.6, "threshold": 0.5}
    assert negative_share(5, 10, 0.5, 10) is None  # exactly at the threshold is not above it


def test_negative_share_needs_the_minimum_count() -> None:
    assert negative_share(9, 9, 0.5, 10) is None
    assert negative_share(0, 0, 0.0, 1) is None
    assert negative_share(1, 1, 0.0, 1) is not None


def test_window_counts_fill_gaps_and_ignore_strays() -> None:
    assert window_counts([(0, 4), (2, 1), (13, 9), (-1, 9)], 4) == [4, 0, 1, 0]


def test_volume_spike_fires_above_mean_plus_k_sigma() -> None:
    baseline = [10, 12, 8, 10, 12, 8, 10, 12, 8, 10, 12, 8]  # mean 10, sigma 1.633
    fired = volume_spike([15, *baseline], 3.0, 5)
    assert fired is not None
    assert fired["limit"] == pytest.approx(14.899, abs=0.001)
    assert fired["baseline_mean"] == 10.0
    assert volume_spike([14, *baseline], 3.0, 5) is None
    assert volume_spike([15, *baseline], 4.0, 5) is None  # a larger k needs a larger spike


def test_volume_spike_on_a_flat_baseline_is_held_back_by_min_count() -> None:
    assert volume_spike([3, *[0] * 12], 3.0, 5) is None
    assert volume_spike([5, *[0] * 12], 3.0, 5) is not None
    assert volume_spike([5], 3.0, 1) is None  # nothing to compare with
