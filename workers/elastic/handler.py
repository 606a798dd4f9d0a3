"""The elastic worker's batch handler: enrich, bulk-index, then publish the enrichments.

Order matters for "nothing lost": documents are indexed (idempotently, `_id` = mention id), then the
enrichments go to the enriched stream and the live channel, and only then does the loop ack.
"""

import asyncio
import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from redis.asyncio import Redis
from redis.exceptions import RedisError

from brandpulse.contract import ENRICHED_STREAM, LIVE_CHANNEL, Enrichment, Mention, encode
from brandpulse.corrections import Correction, apply, corrected, update_document
from brandpulse.es_indices import index_name
from brandpulse.settings import Settings
from workers.elastic.documents import document
from workers.elastic.enrich import Enricher, Failed
from workers.elastic.indexer import Indexer, IndexResult
from workers.loop import Outcome, RetryLater


class ElasticHandler:
    """Handles one batch of mentions for the stream worker loop."""

    def __init__(
        self,
        enricher: Enricher,
        indexer: Indexer,
        redis: Redis,
        settings: Settings,
        *,
        enriched_stream: str = ENRICHED_STREAM,
        live_channel: str = LIVE_CHANNEL,
    ) -> None:
        self.enricher, self.indexer, self.redis, self.settings = enricher, indexer, redis, settings
        self.enriched_stream, self.live_channel = enriched_stream, live_channel
        self._cache: dict[str, Enrichment] = {}  # survives a RetryLater so a retry does not re-run models

    async def __call__(self, items: Sequence[tuple[str, Mention]]) -> Outcome:
        """Enrich and index the batch; report what is committed, invalid or to retry."""
        results = await self._enrich([mention for _, mention in items])
        entries: dict[str, list[str]] = defaultdict(list)  # mention id -> entry ids (re-publishes share one)
        invalid: dict[str, str] = {}
        batch: dict[str, tuple[Mention, Enrichment]] = {}
        for (entry_id, mention), result in zip(items, results, strict=True):
            if isinstance(result, Failed):
                invalid[entry_id] = f"enrichment failed: {result.reason}"
            else:
                entries[mention.id].append(entry_id)
                batch[mention.id] = (mention, result)
        indexed = await self._index(batch)
        await self._publish([batch[mention_id] for mention_id in indexed.indexed])
        self._cache.clear()
        for mention_id, reason in indexed.rejected.items():
            invalid.update(dict.fromkeys(entries[mention_id], f"rejected by Elasticsearch: {reason}"))
        failed = {e: reason for mention_id, reason in indexed.failed.items() for e in entries[mention_id]}
        return Outcome(done=[e for m in indexed.indexed for e in entries[m]], invalid=invalid, failed=failed)

    async def _enrich(self, mentions: list[Mention]) -> list[Enrichment | Failed]:
        todo = [m for m in mentions if m.id not in self._cache]
        fresh = await asyncio.to_thread(self.enricher.enrich, todo) if todo else []
        for mention, result in zip(todo, fresh, strict=True):
            if isinstance(result, Enrichment):
                self._cache[mention.id] = result
        by_id: dict[str, Enrichment | Failed] = {m.id: r for m, r in zip(todo, fresh, strict=True)}
        return [self._cache.get(m.id) or by_id[m.id] for m in mentions]

    async def _index(self, batch: dict[str, tuple[Mention, Enrichment]]) -> IndexResult:
        """Bulk-index the batch; the indexer raises RetryLater itself when Elasticsearch is unreachable."""
        now = datetime.now(UTC)
        docs = [
            (mention_id, index_name(self.settings, mention.published_at), document(mention, enrichment, now))
            for mention_id, (mention, enrichment) in batch.items()
        ]
        fixes = await self._corrections(list(batch))
        docs = [(mid, index, apply(doc, fixes[mid]) if mid in fixes else doc) for mid, index, doc in docs]
        result = await self.indexer.index(docs)
        late = await self._corrections(result.indexed)  # a correction may land between the read and the bulk
        for mention_id, fix in late.items():
            if fixes.get(mention_id) != fix:
                await update_document(self.indexer.es, self.settings.es_alias, mention_id, fix)
        if docs and len(result.failed) == len(docs):
            raise RetryLater(f"Elasticsearch refused the whole batch: {next(iter(result.failed.values()))}")
        return result

    async def _corrections(self, mention_ids: list[str]) -> dict[str, Correction]:
        """People's sentiment corrections for these mentions: they win over the model's label."""
        try:
            return await corrected(self.redis, mention_ids)
        except RedisError as error:
            raise RetryLater(f"cannot read sentiment corrections: {error}") from error

    async def _publish(self, done: list[tuple[Mention, Enrichment]]) -> None:
        """XADD the enrichments for the persist worker and PUBLISH a live event per mention."""
        if not done:
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for mention, enrichment in done:
                    pipe.xadd(self.enriched_stream, encode(enrichment))  # type: ignore[arg-type]
                    pipe.publish(self.live_channel, live_event(mention, enrichment))
                await pipe.execute()
        except RedisError as error:
            raise RetryLater(f"cannot publish enrichments: {error}") from error


def live_event(mention: Mention, enrichment: Enrichment) -> str:
    """The compact JSON the live feed shows for one mention."""
    sentiment = enrichment.sentiment
    return json.dumps(
        {
            "id": mention.id,
            "source": mention.source,
            "brand_ids": mention.brand_ids,
            "title": (mention.title or mention.text)[:200],
            "url": mention.url,
            "author": mention.author,
            "published_at": mention.published_at.isoformat(),
            "sentiment": sentiment.label if sentiment else None,
            "sentiment_score": round(sentiment.score, 3) if sentiment else None,
            "emotion": enrichment.emotion.label if enrichment.emotion else None,
        },
        separators=(",", ":"),
    )
