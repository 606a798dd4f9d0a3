"""The HTTP client every network source shares, and a GET that retries what is worth retrying.

Network errors, 5xx and 429 are retried with capped exponential back-off and full jitter; a `Retry-After`
header (seconds or an HTTP date) replaces the back-off, under the same cap. Any other response, 304
included, comes back as it is for the connector to judge. `SourceUnavailable` means "skip this source
until the next poll": the tries ran out, the URL is unusable, or the source refused the request.
"""

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from brandpulse.settings import Settings
from ingest.pacing import Sleep

log = logging.getLogger(__name__)
Params = Mapping[str, str | int]
NETWORK_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class SourceUnavailable(Exception):
    """The source cannot be read this poll: try again next poll."""


def http_client(settings: Settings) -> httpx.AsyncClient:
    """An async client with the ingest timeout and User-Agent that follows redirects; the caller closes it."""
    return httpx.AsyncClient(
        timeout=settings.ingest_http_timeout_s,
        headers={"User-Agent": settings.ingest_user_agent},
        follow_redirects=True,
    )


def is_retryable(response: httpx.Response) -> bool:
    """Whether a response is worth another try: 429 and 5xx."""
    return response.status_code == 429 or response.status_code >= 500


def retry_after_s(response: httpx.Response) -> float | None:
    """The seconds a `Retry-After` header asks for (delay-seconds or HTTP date), or None without one."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    """How `get` retries: up to `max_retries` more tries, each wait at most `backoff_max_s`."""

    max_retries: int = 4
    backoff_max_s: float = 60.0
    backoff_base_s: float = 0.5
    sleep: Sleep = asyncio.sleep

    @classmethod
    def from_settings(cls, settings: Settings) -> "RetryPolicy":
        """The policy the ingest settings describe."""
        return cls(
            max_retries=settings.ingest_http_max_retries, backoff_max_s=settings.ingest_http_backoff_max_s
        )

    def delay_s(self, attempt: int, response: httpx.Response | None) -> float:
        """The wait before retry `attempt` (from 0): the response's Retry-After, else full jitter; capped."""
        hinted = retry_after_s(response) if response is not None else None
        if hinted is not None:
            return min(hinted, self.backoff_max_s)
        return random.uniform(0, min(self.backoff_max_s, self.backoff_base_s * 2**attempt))


async def get(
    client: httpx.AsyncClient,
    url: str | httpx.URL,
    policy: RetryPolicy,
    *,
    params: Params | None = None,
    headers: Mapping[str, str] | None = None,
    retryable: Callable[[httpx.Response], bool] = is_retryable,
) -> httpx.Response:
    """The first response to GET `url` that is not `retryable`, whatever its status.

    Network errors and retryable responses are retried; SourceUnavailable says the tries ran out.
    """
    for attempt in range(policy.max_retries + 1):
        response = None
        try:
            response = await client.get(url, params=params, headers=headers)
        except NETWORK_ERRORS as exc:
            failure = f"{type(exc).__name__}: {exc}"
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # a bad URL, too many redirects: no retry helps
            raise SourceUnavailable(f"GET {url}: {type(exc).__name__}: {exc}") from exc
        else:
            if not retryable(response):
                return response
            failure = f"HTTP {response.status_code}"
        if attempt < policy.max_retries:
            delay = policy.delay_s(attempt, response)
            log.info(
                "GET %s: %s; retry %d/%d in %.2f s", url, failure, attempt + 1, policy.max_retries, delay
            )
            await policy.sleep(delay)
    raise SourceUnavailable(f"GET {url}: {failure} after {policy.max_retries + 1} tries")


def require_success(response: httpx.Response) -> httpx.Response:
    """The response if it is 2xx or 304; raises SourceUnavailable when the source refused the request."""
    if response.is_success or response.status_code == 304:
        return response
    raise SourceUnavailable(f"GET {response.url}: HTTP {response.status_code}: {response.text[:200]!r}")


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The JSON object in a response body; raises ValueError saying what is wrong with it."""
    try:
        value = response.json()
    except ValueError as exc:
        raise ValueError(f"body is not JSON ({exc}): {response.text[:80]!r}") from None
    if not isinstance(value, dict):
        raise ValueError(f"body is JSON but not an object: {response.text[:80]!r}")
    return value
