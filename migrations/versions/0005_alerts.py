"""alert_rules and alerts: per-brand rules and what fired them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24

Rules are few (tens per brand). Alerts are listed newest first, per brand or overall, so they are
indexed by (brand_id, fired_at) and by fired_at.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column("brand_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("window_s", sa.Integer(), nullable=False),
        sa.Column("min_count", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("muted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("webhook_url", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.CheckConstraint("kind IN ('negative_share', 'volume_spike')", name=op.f("ck_alert_rules_kind")),
        sa.CheckConstraint("window_s BETWEEN 60 AND 604800", name=op.f("ck_alert_rules_window")),
        sa.CheckConstraint("min_count >= 1", name=op.f("ck_alert_rules_min_count")),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_alert_rules_brand_id_brands"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_rules")),
    )
    op.create_index(op.f("ix_alert_rules_brand_id"), "alert_rules", ["brand_id"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column("rule_id", sa.BigInteger(), nullable=False),
        sa.Column("brand_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["alert_rules.id"], name=op.f("fk_alerts_rule_id_alert_rules"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("rule_id", "window_end", name=op.f("uq_alerts_rule_id_window_end")),
    )
    op.create_index(op.f("ix_alerts_brand_id_fired_at"), "alerts", ["brand_id", "fired_at"])
    op.create_index(op.f("ix_alerts_fired_at"), "alerts", ["fired_at"])


def downgrade() -> None:
    op.drop_table("alerts")
    op.drop_table("alert_rules")
