"""From a connector's page to the raw stream: attribute brands, drop the unmatched, publish the new, count.

Every source goes through here, so what a mention is attributed to does not depend on where it came
from: the brand matcher decides (`brand_query.Matcher` over title and text), and the RedisBloom
publisher decides whether it is new.
"""

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from brandpulse import logs
from brandpulse.brand_query import Matcher
from brandpulse.contract import Mention
from ingest import metrics
from ingest.publisher import Publisher
from ingest.sources.base import Rejected

log = logging.getLogger(__name__)
COUNTERS = ("fetched", "published", "duplicate", "unmatched", "invalid")


class Pipeline:
    """Matches and publishes mentions, keeping per-source counters."""

    def __init__(self, publisher: Publisher, matcher: Matcher) -> None:
        self.publisher, self.matcher = publisher, matcher
        self.counts: defaultdict[str, Counter[str]] = defaultdict(Counter)  # source -> counter -> n

    async def ingest(
        self, source: str, mentions: Sequence[Mention], rejected: Iterable[Rejected] = ()
    ) -> None:
        """Publish the mentions of one page that match a brand and were not seen before."""
        page: Counter[str] = Counter()
        try:
            with logs.fields(source=source):
                await self._ingest(source, mentions, rejected, page)
        finally:
            self.counts[source].update(page)
            metrics.count(source, page)

    async def _ingest(
        self, source: str, mentions: Sequence[Mention], rejected: Iterable[Rejected], counts: Counter[str]
    ) -> None:
        for item in rejected:
            counts["invalid"] += 1
            log.warning("%s: skipped %s: %s", source, item.item, item.reason)
        counts["fetched"] += len(mentions)
        matched = [m for m in map(self.attribute, mentions) if m.brand_ids]
        counts["unmatched"] += len(mentions) - len(matched)
        if not matched:
            return
        result = await self.publisher.publish(matched)
        counts["published"] += len(result.published)
        counts["duplicate"] += len(result.duplicates)
        counts["invalid"] += len(result.invalid)
        for mention_id, reason in result.invalid.items():
            log.warning("mention %s not published: %s", mention_id, reason, extra={"mention_id": mention_id})

    def attribute(self, mention: Mention) -> Mention:
        """The mention with the brands whose query matches its title and text."""
        brand_ids = self.matcher.match(f"{mention.title}\n{mention.text}")
        return (
            mention if brand_ids == mention.brand_ids else mention.model_copy(update={"brand_ids": brand_ids})
        )

    def summary(self) -> str:
        """One line per source with every counter."""
        return "; ".join(
            f"{source}: " + " ".join(f"{name}={counts[name]}" for name in COUNTERS)
            for source, counts in sorted(self.counts.items())
        )
