"""sentiment_corrections: a person's sentiment label for a mention, which wins over the model's.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

Kept apart from `enrichments` so that re-enriching a mention (a new model, a redelivery) never wipes a
human correction; the rollup recount reads `coalesce(correction, model label)`. A correction may be
made before the persist worker has stored the mention, so there is no foreign key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sentiment_corrections",
        sa.Column("mention_id", sa.Uuid(), primary_key=True),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("corrected_by", sa.Text(), nullable=False),
        sa.Column(
            "corrected_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "label IN ('negative', 'neutral', 'positive')", name=op.f("ck_sentiment_corrections_label")
        ),
        sa.PrimaryKeyConstraint("mention_id", name=op.f("pk_sentiment_corrections")),
    )


def downgrade() -> None:
    op.drop_table("sentiment_corrections")
