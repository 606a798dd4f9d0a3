"""SQLAlchemy 2 table models; Alembic revisions in `migrations/` create and change them."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    MetaData,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with stable constraint names, so migrations can refer to them."""

    metadata = MetaData(naming_convention=NAMING)


class Brand(Base):
    """A watched brand: what ingest matches and what every mention is attributed to."""

    __tablename__ = "brands"
    __table_args__ = (
        CheckConstraint(r"slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'", name="slug_format"),
        CheckConstraint("char_length(name) BETWEEN 1 AND 200", name="name_length"),
        CheckConstraint("char_length(query) BETWEEN 1 AND 1000", name="query_length"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    slug: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    query: Mapped[str] = mapped_column(Text)  # in the language of `brandpulse.brand_query`
    feeds: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=sql_text("'{}'"))  # RSS/Atom URLs
    active: Mapped[bool] = mapped_column(server_default=sql_text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class StoredMention(Base):
    """A mention as stored: the durable record (see migration 0002 for the index design)."""

    __tablename__ = "mentions"
    __table_args__ = (Index("ix_mentions_published_at_id", "published_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, server_default="")
    text: Mapped[str] = mapped_column(Text, server_default="")
    author: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=sql_text("'{}'::jsonb"))


class MentionBrand(Base):
    """Which brands a mention is about, with what per-brand range scans and rollups read of it."""

    __tablename__ = "mention_brands"

    brand_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    mention_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, index=True)  # no foreign key: 0007
    source: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)


class StoredEnrichment(Base):
    """What the elastic worker derived from a mention; may arrive before the mention itself."""

    __tablename__ = "enrichments"
    __table_args__ = (
        CheckConstraint("sentiment_label IN ('negative', 'neutral', 'positive')", name="sentiment_label"),
    )

    mention_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    sentiment_label: Mapped[str | None] = mapped_column(Text)
    sentiment_score: Mapped[float | None]
    sentiment_probabilities: Mapped[dict[str, float] | None] = mapped_column(JSONB)
    emotion_label: Mapped[str | None] = mapped_column(Text)
    emotion_probabilities: Mapped[dict[str, float] | None] = mapped_column(JSONB)
    entities: Mapped[list[dict[str, str]]] = mapped_column(JSONB, server_default=sql_text("'[]'::jsonb"))
    keywords: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=sql_text("'{}'"))
    models: Mapped[dict[str, str]] = mapped_column(JSONB, server_default=sql_text("'{}'::jsonb"))
    skipped: Mapped[dict[str, str]] = mapped_column(JSONB, server_default=sql_text("'{}'::jsonb"))
    enriched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class HourlyRollup(Base):
    """Per brand, UTC hour and source: counts that always equal a recount of the base tables."""

    __tablename__ = "hourly_rollups"

    brand_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    source: Mapped[str] = mapped_column(Text, primary_key=True)
    mentions: Mapped[int]
    positive: Mapped[int]
    neutral: Mapped[int]
    negative: Mapped[int]
    sentiment_score_mean: Mapped[float | None]
    unique_authors: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DailyRollup(Base):
    """Per brand, UTC day and source: the sums of that day's hourly rollups (no distinct authors)."""

    __tablename__ = "daily_rollups"

    brand_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    source: Mapped[str] = mapped_column(Text, primary_key=True)
    mentions: Mapped[int]
    positive: Mapped[int]
    neutral: Mapped[int]
    negative: Mapped[int]
    sentiment_score_mean: Mapped[float | None]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SentimentCorrection(Base):
    """A person's sentiment label for a mention; it wins over the model's in Elasticsearch and rollups."""

    __tablename__ = "sentiment_corrections"
    __table_args__ = (CheckConstraint("label IN ('negative', 'neutral', 'positive')", name="label"),)

    mention_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    corrected_by: Mapped[str] = mapped_column(Text)
    corrected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AlertRule(Base):
    """When to alert for a brand: a negative share over a window, or a volume spike."""

    __tablename__ = "alert_rules"
    __table_args__ = (
        CheckConstraint("kind IN ('negative_share', 'volume_spike')", name="kind"),
        CheckConstraint("window_s BETWEEN 60 AND 604800", name="window"),
        CheckConstraint("min_count >= 1", name="min_count"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(Text)
    threshold: Mapped[float]
    window_s: Mapped[int]
    min_count: Mapped[int] = mapped_column(server_default=sql_text("1"))
    muted: Mapped[bool] = mapped_column(server_default=sql_text("false"))
    webhook_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Alert(Base):
    """An alert a rule fired, with what triggered it; one per rule and window end."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("rule_id", "window_end"),
        Index("ix_alerts_brand_id_fired_at", "brand_id", "fired_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"))
    brand_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(Text)
    fired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    window_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=sql_text("'{}'::jsonb"))
