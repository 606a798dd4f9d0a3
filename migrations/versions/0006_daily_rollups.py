"""daily_rollups: per brand, UTC day and source, the sums of the hourly rollups.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

Long-range dashboards read days. Summing 19k hourly rows for 160 days of one brand cost 72 ms (12 ms with
a covering index); the day rows answer the same in about 1 ms. They are kept in the transaction that
recounts the hours (`brandpulse.rollups`), so they always equal the sum of the hours. Distinct authors do
not add up across hours, so days have none. Filled from the hourly rollups on upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
INSERT INTO daily_rollups (brand_id, day, source, mentions, positive, neutral, negative, sentiment_score_mean)
SELECT brand_id, date_bin('1 day', hour, TIMESTAMPTZ '1970-01-01 00:00:00+00'), source,
       sum(mentions), sum(positive), sum(neutral), sum(negative),
       sum(sentiment_score_mean * (positive + neutral + negative)) / nullif(
           sum(positive + neutral + negative) FILTER (WHERE sentiment_score_mean IS NOT NULL), 0)
FROM hourly_rollups GROUP BY 1, 2, 3
"""


def upgrade() -> None:
    op.create_table(
        "daily_rollups",
        sa.Column("brand_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("neutral", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("sentiment_score_mean", sa.Float()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("brand_id", "day", "source", name=op.f("pk_daily_rollups")),
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_table("daily_rollups")
