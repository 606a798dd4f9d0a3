"""Builders for mentions and enrichments, and the rollups-versus-recount check the persist tests share."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from brandpulse.contract import Enrichment, Mention

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

RECOUNT = """
SELECT mb.brand_id, date_trunc('hour', mb.published_at, 'UTC') AS hour, m.source,
       count(*) AS mentions,
       count(*) FILTER (WHERE coalesce(c.label, e.sentiment_label) = 'positive') AS positive,
       count(*) FILTER (WHERE coalesce(c.label, e.sentiment_label) = 'neutral') AS neutral,
       count(*) FILTER (WHERE coalesce(c.label, e.sentiment_label) = 'negative') AS negative,
       round(avg(e.sentiment_score)::numeric, 9) AS sentiment_score_mean,
       count(DISTINCT m.author) AS unique_authors
FROM mention_brands AS mb JOIN mentions AS m ON m.id = mb.mention_id
LEFT JOIN enrichments AS e ON e.mention_id = m.id
LEFT JOIN sentiment_corrections AS c ON c.mention_id = m.id
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""
ROLLUPS = """
SELECT brand_id, hour, source, mentions, positive, neutral, negative,
       round(sentiment_score_mean::numeric, 9) AS sentiment_score_mean, unique_authors
FROM hourly_rollups ORDER BY 1, 2, 3
"""
DAILY_RECOUNT = """
SELECT mb.brand_id, date_trunc('day', mb.published_at, 'UTC') AS day, m.source,
       count(*) AS mentions,
       count(*) FILTER (WHERE coalesce(c.label, e.sentiment_label) = 'positive') AS positive,
       count(*) FILTER (WHERE coalesce(c.label, e.sentiment_label) = 'neutral') AS neutral,
       count(*) FILTER (WHERE coalesce(c.label, e.sentiment_label) = 'negative') AS negative
FROM mention_brands AS mb JOIN mentions AS m ON m.id = mb.mention_id
LEFT JOIN enrichments AS e ON e.mention_id = m.id
LEFT JOIN sentiment_corrections AS c ON c.mention_id = m.id
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""
DAILY_ROLLUPS = (
    "SELECT brand_id, day, source, mentions, positive, neutral, negative FROM daily_rollups ORDER BY 1, 2, 3"
)


def mention(n: int, *, brands: tuple[int, ...] = (1,), minutes: int = 0, **fields: Any) -> Mention:
    """Mention number `n`, `minutes` after T0."""
    values: dict[str, Any] = {
        "source": "news",
        "external_id": f"post-{n}",
        "title": f"Post {n}",
        "text": f"Acme did thing {n}",
        "author": f"author-{n % 3}",
        "published_at": T0 + timedelta(minutes=minutes),
        "fetched_at": T0 + timedelta(minutes=minutes + 1),
        "brand_ids": brands,
    }
    return Mention(**{**values, **fields})


def enrichment(of: Mention, label: str = "positive", *, score: float = 0.8, at: datetime = T0) -> Enrichment:
    """An enrichment of `of` with sentiment `label`."""
    probabilities = {"negative": 0.1, "neutral": 0.1, "positive": 0.1} | {label: 0.8}
    return Enrichment.model_validate(
        {
            "mention_id": of.id,
            "sentiment": {"label": label, "score": score, "probabilities": probabilities},
            "emotion": {
                "label": "joy",
                "probabilities": {"anger": 0.1, "joy": 0.7, "optimism": 0.1, "sadness": 0.1},
            },
            "entities": [{"text": "Acme", "type": "ORG"}],
            "keywords": ["acme", "thing"],
            "models": {"sentiment": "tweet-minilm@1"},
            "enriched_at": at,
        }
    )


async def rows(engine: AsyncEngine, sql: str) -> list[tuple[Any, ...]]:
    """Every row of a query, as tuples."""
    async with engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(text(sql))]


async def rollups_and_recount(engine: AsyncEngine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rollups table and a GROUP BY recount of the base tables, in the same shape."""
    return await rows(engine, ROLLUPS), await rows(engine, RECOUNT)


async def days_and_recount(engine: AsyncEngine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The daily rollups table and a GROUP BY day recount of the base tables, in the same shape."""
    return await rows(engine, DAILY_ROLLUPS), await rows(engine, DAILY_RECOUNT)
