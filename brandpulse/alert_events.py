"""Alerts as they travel: the pub/sub channel the API's evaluator publishes on, and the event's shape.

The same shape is what `GET /api/alerts` lists, what the live feed forwards and what webhooks receive.
"""

from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict

ALERTS_CHANNEL: Final = "brandpulse:alerts"  # pub/sub channel: one event per alert fired

AlertKind = Literal["negative_share", "volume_spike"]


class AlertEvent(BaseModel):
    """An alert a rule fired, with the counts that triggered it in `details`."""

    model_config = ConfigDict(frozen=True)

    id: int
    rule_id: int
    brand_id: int
    kind: AlertKind
    fired_at: datetime
    window_start: datetime
    window_end: datetime
    details: dict[str, Any]
