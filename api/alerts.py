"""The alert evaluator: every `alert_every_s`, in one API process at a time, checks each rule.

It counts from PostgreSQL (a person's sentiment correction wins over the model's label), stores what
fired with what triggered it (one alert per rule and window end; a rule fires at most once per window
length), and after the commit publishes each alert for the live feed and POSTs it to the rule's webhook
or the global one. Publishing and webhooks are at most once: a failure is logged and the round goes on.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import httpx
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.alert_rules import (
    BASELINE_WINDOWS,
    Window,
    evaluation_window,
    negative_share,
    volume_spike,
    window_counts,
)
from api.redis_keys import RedisKeys
from brandpulse.alert_events import AlertEvent
from brandpulse.locks import held
from brandpulse.settings import Settings

log = logging.getLogger(__name__)
LOCK_TTL_MS: Final = 30_000  # how long a crashed evaluator keeps the others waiting

RULES = text("""
SELECT r.id, r.brand_id, r.kind, r.threshold, r.window_s, r.min_count, r.webhook_url
FROM alert_rules AS r JOIN brands AS b ON b.id = r.brand_id
WHERE NOT r.muted AND b.active
ORDER BY r.id
""")

SENTIMENT_COUNTS = text("""
SELECT count(*) AS mentions,
       count(coalesce(c.label, e.sentiment_label)) AS labelled,
       count(*) FILTER (WHERE coalesce(c.label, e.sentiment_label) = 'negative') AS negative
FROM mention_brands AS mb
LEFT JOIN enrichments AS e ON e.mention_id = mb.mention_id
LEFT JOIN sentiment_corrections AS c ON c.mention_id = mb.mention_id  -- a person's label wins
WHERE mb.brand_id = :brand_id AND mb.published_at >= :start AND mb.published_at < :end
""")

WINDOW_COUNTS = text("""
SELECT CAST(ceil(extract(epoch FROM CAST(:end AS timestamptz) - published_at) / CAST(:window_s AS int))
            AS int) - 1 AS windows_before,  -- 0: published in [end - window_s, end)
       count(*) AS mentions
FROM mention_brands
WHERE brand_id = :brand_id AND published_at >= :start AND published_at < :end
GROUP BY 1
""")

INSERT_ALERT = text("""
INSERT INTO alerts (rule_id, brand_id, kind, window_start, window_end, details)
SELECT CAST(:rule_id AS bigint), CAST(:brand_id AS bigint), CAST(:kind AS text),
       CAST(:start AS timestamptz), CAST(:end AS timestamptz), CAST(:details AS jsonb)
WHERE NOT EXISTS (  -- at most once per window length: no overlap with the rule's last alert
    SELECT 1 FROM alerts WHERE rule_id = :rule_id AND window_end > :start
)
ON CONFLICT (rule_id, window_end) DO NOTHING
RETURNING id, fired_at
""")


class AlertEvaluator:
    """Evaluates every unmuted rule of an active brand, under a Redis lock, until stopped."""

    def __init__(self, settings: Settings, redis: Redis, engine: AsyncEngine, *, keys: RedisKeys) -> None:
        self.settings, self.redis, self.engine, self.keys = settings, redis, engine, keys
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Finish the round in hand and return from `run`."""
        self._stopping.set()

    async def run(self) -> None:
        """Evaluate now, then every `alert_every_s`; a failed round is logged and the next one tried."""
        while not self._stopping.is_set():
            try:
                await self.evaluate()
            except Exception:
                log.exception("alert evaluation failed; retrying in %.1f s", self.settings.alert_every_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.settings.alert_every_s)

    async def evaluate(self, now: datetime | None = None) -> list[AlertEvent] | None:
        """One round: the alerts fired (stored, then announced), or None when another process evaluates."""
        async with held(self.redis, self.keys.alerts_lock, LOCK_TTL_MS) as mine:
            if not mine:
                return None
            fired = await self._fire(now or datetime.now(UTC))
        await self._announce(fired)
        return [event for event, _ in fired]

    async def _fire(self, now: datetime) -> list[tuple[AlertEvent, str | None]]:
        """Check each rule and store the alerts that fired, in one transaction."""
        fired: list[tuple[AlertEvent, str | None]] = []
        async with self.engine.begin() as connection:
            for rule in (await connection.execute(RULES)).all():
                window = evaluation_window(now, self.settings.alert_every_s, rule.window_s)
                details = await _check(connection, rule, window)
                event = details and await _store(connection, rule, window, details)
                if event:
                    fired.append((event, rule.webhook_url or self.settings.alert_webhook_url))
        return fired

    async def _announce(self, fired: Sequence[tuple[AlertEvent, str | None]]) -> None:
        """Publish each alert on the alerts channel and POST it to its webhook; failures are logged."""
        if not fired:
            return
        for event, _ in fired:
            log.info("alert %d: %s for brand %d: %s", event.id, event.kind, event.brand_id, event.details)
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for event, _ in fired:
                    pipe.publish(self.keys.alerts_channel, event.model_dump_json())
                await pipe.execute()
        except RedisError as error:
            log.warning("alerts not published to the live feed: %s", error)
        posts = [(event, url) for event, url in fired if url]
        if posts:
            async with httpx.AsyncClient(timeout=self.settings.alert_webhook_timeout_s) as http:
                await asyncio.gather(*(_post(http, url, event) for event, url in posts))


async def _check(connection: AsyncConnection, rule: Row[Any], window: Window) -> dict[str, Any] | None:
    """What triggered the rule in `window`, or None when it does not fire."""
    if rule.kind == "negative_share":
        params = {"brand_id": rule.brand_id, "start": window.start, "end": window.end}
        labels = (await connection.execute(SENTIMENT_COUNTS, params)).one()
        details = negative_share(labels.negative, labels.labelled, rule.threshold, rule.min_count)
        return details and {**details, "mentions": labels.mentions, "min_count": rule.min_count}
    start = window.end - timedelta(seconds=rule.window_s * (BASELINE_WINDOWS + 1))
    params = {"brand_id": rule.brand_id, "start": start, "end": window.end, "window_s": rule.window_s}
    rows = (await connection.execute(WINDOW_COUNTS, params)).all()
    counts = window_counts([(row.windows_before, row.mentions) for row in rows], BASELINE_WINDOWS + 1)
    details = volume_spike(counts, rule.threshold, rule.min_count)
    return details and {**details, "min_count": rule.min_count}


async def _store(
    connection: AsyncConnection, rule: Row[Any], window: Window, details: dict[str, Any]
) -> AlertEvent | None:
    """Insert the alert; None when this window was alerted already or overlaps the rule's last alert."""
    params = {
        "rule_id": rule.id,
        "brand_id": rule.brand_id,
        "kind": rule.kind,
        "start": window.start,
        "end": window.end,
        "details": json.dumps(details),
    }
    row = (await connection.execute(INSERT_ALERT, params)).one_or_none()
    if row is None:
        return None
    return AlertEvent(
        id=row.id,
        rule_id=rule.id,
        brand_id=rule.brand_id,
        kind=rule.kind,
        fired_at=row.fired_at,
        window_start=window.start,
        window_end=window.end,
        details=details,
    )


async def _post(http: httpx.AsyncClient, url: str, event: AlertEvent) -> None:
    """POST the alert as JSON; a failure is logged (by host only: webhook paths often hold secrets)."""
    try:
        response = await http.post(
            url, content=event.model_dump_json(), headers={"Content-Type": "application/json"}
        )
        response.raise_for_status()
    except httpx.HTTPError as error:
        host = httpx.URL(url).host
        log.warning("alert %d: webhook on %s failed: %s", event.id, host, type(error).__name__)
