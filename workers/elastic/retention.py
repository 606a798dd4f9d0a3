"""Retention: drop mentions published more than `es_retention_hours` ago from Elasticsearch.

PostgreSQL keeps the full history; Elasticsearch keeps the recent window that search and dashboards need.
"""

import re
from datetime import UTC, datetime, timedelta

from elasticsearch import AsyncElasticsearch, NotFoundError

from brandpulse.es_indices import single_index_name
from brandpulse.settings import Settings


async def apply_retention(es: AsyncElasticsearch, settings: Settings, now: datetime) -> int:
    """Delete what fell out of the window; returns how many documents went (0 when retention is unset).

    Single layout: a delete-by-query on the one concrete index (not the alias). Monthly layout: whole
    `<alias>-YYYY.MM` indices whose month ended at or before the cutoff; a month that straddles the cutoff
    stays until it is entirely old, so documents may outlive the window by up to a month.
    """
    if settings.es_retention_hours is None:
        return 0
    cutoff = now.astimezone(UTC) - timedelta(hours=settings.es_retention_hours)
    if settings.es_index_layout == "single":
        return await _delete_published_before(es, single_index_name(settings), cutoff)
    return await _delete_months_before(es, settings.es_alias, cutoff)


async def _delete_published_before(es: AsyncElasticsearch, index: str, cutoff: datetime) -> int:
    try:
        response = await es.delete_by_query(
            index=index,
            query={"range": {"published_at": {"lt": cutoff.isoformat()}}},
            conflicts="proceed",
            refresh=True,
        )
    except NotFoundError:
        return 0
    return int(response["deleted"])


async def _delete_months_before(es: AsyncElasticsearch, alias: str, cutoff: datetime) -> int:
    names = await es.indices.get(index=f"{alias}-*", allow_no_indices=True, ignore_unavailable=True)
    expired = ",".join(name for name in names if _month_end(alias, name) <= cutoff)
    if not expired:
        return 0
    documents = int((await es.count(index=expired))["count"])
    await es.indices.delete(index=expired)  # concrete names: wildcard deletes are refused by default
    return documents


def _month_end(alias: str, index: str) -> datetime:
    """When the month of a `<alias>-YYYY.MM` index ends; far in the future for any other index name."""
    match = re.fullmatch(rf"{re.escape(alias)}-(\d{{4}})\.(0[1-9]|1[0-2])", index)
    if not match:
        return datetime.max.replace(tzinfo=UTC)
    year, month = int(match[1]), int(match[2])
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
