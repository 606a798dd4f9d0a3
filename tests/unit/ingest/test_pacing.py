"""The token bucket on a fake clock: starts full, then hands out tokens at its rate, never above burst."""

import asyncio

import pytest

from ingest.pacing import TokenBucket


class FakeClock:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def bucket(clock: FakeClock, rate_per_s: float = 10.0, burst: float = 5) -> TokenBucket:
    return TokenBucket(rate_per_s=rate_per_s, burst=burst, clock=clock, sleep=clock.sleep)


async def test_a_full_bucket_lets_a_burst_through_without_waiting() -> None:
    clock = FakeClock()
    tokens = bucket(clock)
    for _ in range(5):
        await tokens.acquire()
    assert clock.sleeps == []
    assert tokens.tokens == pytest.approx(0)


async def test_after_the_burst_tokens_come_at_the_rate() -> None:
    clock = FakeClock()
    tokens = bucket(clock, rate_per_s=10, burst=5)
    for _ in range(105):
        await tokens.acquire()
    assert clock.now - 1000 == pytest.approx(10.0)  # 100 tokens beyond the burst at 10/s


async def test_acquiring_several_at_once_waits_for_all_of_them() -> None:
    clock = FakeClock()
    tokens = bucket(clock, rate_per_s=2, burst=4)
    await tokens.acquire(4)
    await tokens.acquire(3)
    assert clock.now - 1000 == pytest.approx(1.5)


async def test_idle_time_refills_only_up_to_burst() -> None:
    clock = FakeClock()
    tokens = bucket(clock, rate_per_s=10, burst=5)
    await tokens.acquire(5)
    clock.now += 3600
    assert tokens.tokens == pytest.approx(5)
    for _ in range(6):
        await tokens.acquire()
    assert clock.now - 1000 - 3600 == pytest.approx(0.1)


async def test_concurrent_waiters_share_the_rate() -> None:
    clock = FakeClock()
    tokens = bucket(clock, rate_per_s=4, burst=1)
    await asyncio.gather(*(tokens.acquire() for _ in range(21)))
    assert clock.now - 1000 == pytest.approx(5.0)


async def test_a_clock_that_goes_back_adds_no_tokens() -> None:
    clock = FakeClock()
    tokens = bucket(clock, rate_per_s=10, burst=5)
    await tokens.acquire(5)
    clock.now -= 100
    assert tokens.tokens == pytest.approx(0)


@pytest.mark.parametrize(
    ("rate_per_s", "burst"), [(0, 1), (-1, 1), (float("nan"), 1), (1, 0.5), (1, float("inf"))]
)
def test_a_bucket_needs_a_positive_rate_and_a_burst_of_at_least_one(rate_per_s: float, burst: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        TokenBucket(rate_per_s=rate_per_s, burst=burst)


@pytest.mark.parametrize("n", [6, -1])
async def test_acquiring_more_than_the_burst_or_a_negative_number_fails(n: int) -> None:
    with pytest.raises(ValueError, match="cannot acquire"):
        await bucket(FakeClock(), burst=5).acquire(n)


async def test_the_real_clock_paces_too() -> None:
    tokens = TokenBucket(rate_per_s=200, burst=1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(11):
        await tokens.acquire()
    assert loop.time() - started >= 0.045
