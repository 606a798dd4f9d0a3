"""Bulk-index mention documents, retrying only what failed for a transient reason.

Each document's outcome, matched by `_id` (= mention id, so redelivery overwrites, never duplicates):
- `indexed`: Elasticsearch stored it.
- `rejected` (mention id -> "type: reason"): Elasticsearch refused the document itself with a 4xx (e.g. 400
  strict mapping violation); never retried. The caller dead-letters it.
- `failed` (mention id -> reason): a per-document 429, 5xx, 408, 401 or 403, still there after
  `es_bulk_max_retries` retries (capped exponential back-off, full jitter, only the failed subset re-sent).
  The caller does not ack it; the stream redelivers it and dead-letters it after `worker_max_tries`.
`RetryLater` is raised instead when, on the last try, Elasticsearch could not be reached or refused a whole
bulk request (connection error, timeout, request-level error): a cluster outage must not count against
an entry's tries. The caller backs off and acks nothing; re-sending what was indexed already is harmless.
"""

import asyncio
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import AsyncElasticsearch, ConnectionTimeout
from elasticsearch import ConnectionError as EsConnectionError
from elasticsearch.helpers import async_streaming_bulk

from brandpulse.settings import Settings
from workers.loop import RetryLater

Doc = tuple[str, str, dict[str, Any]]  # (mention id, concrete index, _source)
NOT_THE_DOCUMENTS_FAULT = frozenset({401, 403, 408, 429})  # 4xx statuses worth retrying


@dataclass(frozen=True)
class IndexResult:
    """Per-document outcome of `Indexer.index`, by mention id."""

    indexed: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


@dataclass
class _Attempt:
    """What one pass over the pending documents left to retry; `unreachable` for request-level failures."""

    retry: dict[str, str] = field(default_factory=dict)
    unreachable: str | None = None


class Indexer:
    """Writes `(mention id, index, doc)` triples to Elasticsearch in size- and byte-bounded bulk chunks."""

    def __init__(self, es: AsyncElasticsearch, settings: Settings, *, initial_backoff_s: float = 0.5) -> None:
        self.es, self.settings, self.initial_backoff_s = es, settings, initial_backoff_s

    async def index(self, docs: Sequence[Doc]) -> IndexResult:
        """Index `docs` (the last one wins for a repeated id); see the module docstring for the outcomes."""
        pending = {mention_id: (index, doc) for mention_id, index, doc in docs}
        result = IndexResult()
        for attempt in range(self.settings.es_bulk_max_retries + 1):
            if attempt:
                await asyncio.sleep(self._backoff_s(attempt))
            outcome = await self._send(pending, result)
            pending = {mention_id: pending[mention_id] for mention_id in outcome.retry}
            if not pending:
                return result
        if outcome.unreachable:
            raise RetryLater(f"Elasticsearch is unavailable: {outcome.unreachable}")
        result.failed.update(outcome.retry)
        return result

    async def _send(self, pending: Mapping[str, tuple[str, dict[str, Any]]], result: IndexResult) -> _Attempt:
        """One bulk pass: record indexed and rejected documents in `result`, return what to retry."""
        actions = ({"_index": index, "_id": key, "_source": doc} for key, (index, doc) in pending.items())
        outcome = _Attempt()
        seen: set[str] = set()
        try:
            async for ok, item in async_streaming_bulk(
                self.es,
                actions,
                chunk_size=self.settings.es_bulk_chunk_size,
                max_chunk_bytes=self.settings.es_bulk_max_bytes,
                raise_on_error=False,
                raise_on_exception=False,
            ):
                info = next(iter(item.values()))
                mention_id, status = info["_id"], int(info["status"])
                seen.add(mention_id)
                if ok:
                    result.indexed.append(mention_id)
                elif "exception" in info:  # the whole bulk request failed, not this document
                    outcome.retry[mention_id] = outcome.unreachable = _reason(info)
                elif 400 <= status < 500 and status not in NOT_THE_DOCUMENTS_FAULT:
                    result.rejected[mention_id] = _reason(info)
                else:
                    outcome.retry[mention_id] = _reason(info)
        except (EsConnectionError, ConnectionTimeout) as error:  # nothing more came back
            outcome.unreachable = f"{type(error).__name__}: {error}"
            outcome.retry.update({key: outcome.unreachable for key in pending if key not in seen})
        return outcome

    def _backoff_s(self, attempt: int) -> float:
        """Capped exponential back-off with full jitter."""
        ceiling = min(self.settings.worker_retry_max_s, self.initial_backoff_s * 2 ** (attempt - 1))
        return random.uniform(0, ceiling)


def _reason(info: Mapping[str, Any]) -> str:
    """Elasticsearch's reason for a failed bulk item: `type: reason (caused by type: reason)`."""
    error = info.get("error")
    if not isinstance(error, Mapping):
        return f"status {info['status']}: {error}"
    reason = f"{error.get('type')}: {error.get('reason')}"
    cause = error.get("caused_by")
    if isinstance(cause, Mapping):
        reason += f" (caused by {cause.get('type')}: {cause.get('reason')})"
    return reason
