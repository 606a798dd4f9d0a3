"""An asyncio token bucket: pace work to a steady rate while letting short bursts through."""

import asyncio
import math
import time
from collections.abc import Awaitable, Callable

Clock = Callable[[], float]  # monotonic seconds
Sleep = Callable[[float], Awaitable[None]]
EPSILON = 1e-9  # a shortfall this small counts as none, so float rounding cannot make acquire() spin


class TokenBucket:
    """Adds `rate_per_s` tokens a second up to `burst`, and starts full.

    Waiters are served one at a time, in arrival order. `clock` and `sleep` are injectable so tests
    can run on a fake clock instead of sleeping for real.
    """

    def __init__(
        self,
        *,
        rate_per_s: float,
        burst: float,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not (math.isfinite(rate_per_s) and rate_per_s > 0):
            raise ValueError(f"rate_per_s must be a positive number, not {rate_per_s!r}")
        if not (math.isfinite(burst) and burst >= 1):
            raise ValueError(f"burst must be at least 1, not {burst!r}")
        self.rate_per_s = rate_per_s
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = burst
        self._updated = clock()
        self._lock = asyncio.Lock()

    @property
    def tokens(self) -> float:
        """The tokens available now."""
        return self._refill()

    async def acquire(self, n: int = 1) -> None:
        """Wait until `n` tokens are available, then take them."""
        if not 0 <= n <= self.burst:
            raise ValueError(f"cannot acquire {n} tokens from a bucket holding at most {self.burst}")
        async with self._lock:
            while (shortfall := n - self._refill()) > EPSILON:
                await self._sleep(shortfall / self.rate_per_s)
            self._tokens -= n

    def _refill(self) -> float:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.burst, self._tokens + elapsed * self.rate_per_s)
        self._updated = now
        return self._tokens
