"""`/api/alerts`: alert rules per brand (CRUD), and the alerts they fired, newest first.

A rule is a negative share above `threshold` (0 to 1; default 0.5) over `window_s` (default 300 s)
among at least `min_count` labelled mentions, or a volume spike: a window's count above the mean of the
12 windows before it plus `threshold` standard deviations (default `volume_spike_sigmas`; window
default 3600 s). `api.alerts` evaluates them.
"""

import base64
from datetime import datetime
from typing import Annotated, Any, Final, Self

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, FiniteFloat, HttpUrl, ValidationError, model_validator
from sqlalchemy import delete, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from api.alert_rules import DEFAULT_SHARE, DEFAULT_WINDOW_S, RuleKind, check_threshold
from api.deps import EngineDep, ReaderDep, ReadKey, SettingsDep, WriteKey
from api.errors import ApiError, ErrorResponse
from brandpulse.alert_events import AlertEvent
from brandpulse.settings import Settings
from brandpulse.tables import Alert, AlertRule

router = APIRouter(prefix="/api", tags=["alerts"])
NOT_FOUND: Final[dict[int | str, dict[str, Any]]] = {404: {"model": ErrorResponse}}
BigId = Annotated[int, Field(gt=0, le=2**63 - 1)]
RuleId = Annotated[int, Path(gt=0, le=2**63 - 1)]
WindowS = Annotated[int, Field(ge=60, le=604_800, description="Seconds, 1 minute to 7 days.")]
MinCount = Annotated[int, Field(ge=1, le=1_000_000)]
Threshold = Annotated[
    FiniteFloat,
    Field(description="negative_share: a share, 0 to below 1; volume_spike: k standard deviations."),
]
RULE_COLUMNS: Final = (
    AlertRule.id,
    AlertRule.brand_id,
    AlertRule.kind,
    AlertRule.threshold,
    AlertRule.window_s,
    AlertRule.min_count,
    AlertRule.muted,
    AlertRule.webhook_url,
    AlertRule.created_at,
    AlertRule.updated_at,
)


class AlertRuleBase(BaseModel):
    """What a rule watches; omitted `threshold` and `window_s` take the kind's defaults."""

    model_config = ConfigDict(extra="forbid")

    kind: RuleKind = "negative_share"
    threshold: Threshold | None = None
    window_s: WindowS | None = None
    min_count: MinCount = 10
    muted: bool = False
    webhook_url: HttpUrl | None = Field(default=None, description="POSTed each alert; else the global one.")

    @model_validator(mode="after")
    def _threshold_fits_kind(self) -> Self:
        if self.threshold is not None:
            check_threshold(self.kind, self.threshold)
        return self

    def values(self, settings: Settings) -> dict[str, Any]:
        """Column values, with the kind's defaults filled in."""
        default = DEFAULT_SHARE if self.kind == "negative_share" else settings.volume_spike_sigmas
        return {
            **self.model_dump(mode="json", exclude={"threshold", "window_s"}),
            "threshold": default if self.threshold is None else self.threshold,
            "window_s": self.window_s or DEFAULT_WINDOW_S[self.kind],
        }


class AlertRuleCreate(AlertRuleBase):
    """A rule to add to a brand."""

    brand_id: BigId


class AlertRuleUpdate(BaseModel):
    """Fields to change; a null `webhook_url` removes the rule's own webhook."""

    model_config = ConfigDict(extra="forbid")

    kind: RuleKind | None = None
    threshold: Threshold | None = None
    window_s: WindowS | None = None
    min_count: MinCount | None = None
    muted: bool | None = None
    webhook_url: HttpUrl | None = None


class AlertRulePublic(BaseModel):
    """A stored rule."""

    id: int
    brand_id: int
    kind: RuleKind
    threshold: float
    window_s: int
    min_count: int
    muted: bool
    webhook_url: str | None
    created_at: datetime
    updated_at: datetime


class AlertRulesPublic(BaseModel):
    """Rules, by id."""

    data: list[AlertRulePublic]
    count: int


class AlertsPublic(BaseModel):
    """Alerts, newest first; pass `next_cursor` as `cursor` for the next page (null: no more)."""

    data: list[AlertEvent]
    next_cursor: str | None


@router.get("/alerts/rules", dependencies=[ReadKey])
async def list_alert_rules(
    reader: ReaderDep, brand: Annotated[list[BigId] | None, Query(max_length=50)] = None
) -> AlertRulesPublic:
    """Every rule, or the rules of some brands."""
    query = select(*RULE_COLUMNS).order_by(AlertRule.id)
    if brand:
        query = query.where(AlertRule.brand_id.in_(brand))
    async with reader.connect() as connection:
        rules = [AlertRulePublic.model_validate(row._asdict()) for row in await connection.execute(query)]
    return AlertRulesPublic(data=rules, count=len(rules))


@router.post("/alerts/rules", status_code=status.HTTP_201_CREATED, dependencies=[WriteKey])
async def create_alert_rule(
    rule: AlertRuleCreate, engine: EngineDep, settings: SettingsDep
) -> AlertRulePublic:
    """Add a rule to a brand."""
    statement = insert(AlertRule).values(**rule.values(settings)).returning(*RULE_COLUMNS)
    try:
        async with engine.begin() as connection:
            row = (await connection.execute(statement)).one()
    except IntegrityError:  # the only constraint the model does not check: the brand exists
        raise ApiError(400, "unknown_brand", f"brand {rule.brand_id} does not exist") from None
    return AlertRulePublic.model_validate(row._asdict())


@router.get("/alerts/rules/{rule_id}", dependencies=[ReadKey], responses=NOT_FOUND)
async def read_alert_rule(rule_id: RuleId, reader: ReaderDep) -> AlertRulePublic:
    """One rule."""
    async with reader.connect() as connection:
        row = (await connection.execute(select(*RULE_COLUMNS).where(AlertRule.id == rule_id))).one_or_none()
    if row is None:
        raise ApiError(404, "not_found", f"alert rule {rule_id} does not exist")
    return AlertRulePublic.model_validate(row._asdict())


@router.patch("/alerts/rules/{rule_id}", dependencies=[WriteKey], responses=NOT_FOUND)
async def update_alert_rule(
    rule_id: RuleId, changes: AlertRuleUpdate, engine: EngineDep, settings: SettingsDep
) -> AlertRulePublic:
    """Change some fields of a rule (mute it, move its threshold ...); the result is validated whole."""
    current = await read_alert_rule(rule_id, engine)
    merged = current.model_dump(include=set(AlertRuleBase.model_fields))
    if changes.kind not in {None, current.kind}:  # a new kind takes its own defaults
        merged.update(threshold=None, window_s=None)
    merged.update(changes.model_dump(exclude_unset=True))
    try:
        rule = AlertRuleBase.model_validate(merged)
    except ValidationError as error:
        problems = [
            {**problem, "loc": ("body", *problem["loc"])} for problem in error.errors(include_url=False)
        ]
        raise RequestValidationError(problems) from None
    statement = (
        update(AlertRule)
        .where(AlertRule.id == rule_id)
        .values(**rule.values(settings))
        .returning(*RULE_COLUMNS)
    )
    async with engine.begin() as connection:
        row = (await connection.execute(statement)).one_or_none()
    if row is None:
        raise ApiError(404, "not_found", f"alert rule {rule_id} does not exist")
    return AlertRulePublic.model_validate(row._asdict())


@router.delete(
    "/alerts/rules/{rule_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[WriteKey],
    responses=NOT_FOUND,
)
async def delete_alert_rule(rule_id: RuleId, engine: EngineDep) -> Response:
    """Delete a rule and the alerts it fired."""
    async with engine.begin() as connection:
        deleted = (await connection.execute(delete(AlertRule).where(AlertRule.id == rule_id))).rowcount
    if not deleted:
        raise ApiError(404, "not_found", f"alert rule {rule_id} does not exist")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _encode_cursor(alert: AlertEvent) -> str:
    return base64.urlsafe_b64encode(f"{alert.fired_at.isoformat()}|{alert.id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        fired_at, alert_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        position = datetime.fromisoformat(fired_at), int(alert_id)
    except ValueError:
        raise ApiError(400, "invalid_cursor", "the cursor is not one this endpoint returned") from None
    if position[0].tzinfo is None or not 0 < position[1] < 2**63:
        raise ApiError(400, "invalid_cursor", "the cursor is not one this endpoint returned")
    return position


@router.get("/alerts", dependencies=[ReadKey])
async def list_alerts(
    reader: ReaderDep,
    settings: SettingsDep,
    brand: Annotated[list[BigId] | None, Query(max_length=50)] = None,
    limit: Annotated[int, Query(ge=1)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> AlertsPublic:
    """Alerts fired, newest first, optionally for some brands; keyset paging with `cursor`."""
    limit = min(limit, settings.api_max_page_size)
    query = select(*Alert.__table__.columns).order_by(Alert.fired_at.desc(), Alert.id.desc()).limit(limit + 1)
    if brand:
        query = query.where(Alert.brand_id.in_(brand))
    if cursor:
        query = query.where(tuple_(Alert.fired_at, Alert.id) < tuple_(*_decode_cursor(cursor)))
    async with reader.connect() as connection:
        rows = (await connection.execute(query)).all()
    alerts = [AlertEvent.model_validate(row._asdict()) for row in rows[:limit]]
    return AlertsPublic(data=alerts, next_cursor=_encode_cursor(alerts[-1]) if len(rows) > limit else None)
