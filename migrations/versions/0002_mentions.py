"""mentions, mention_brands, enrichments, hourly_rollups: the system of record.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Designed for ~100M mentions (about 150 GB of rows):

- Ids are `uuid`: the mention id is 128 bits of hex, so 16 bytes instead of 33 in every index holding it.
- `mentions` is not partitioned. Idempotent writes need the mention id unique across the whole table, and
  PostgreSQL enforces a unique key on a partitioned table only when it includes the partition key;
  `published_at` cannot be part of it because a source may re-date a post it re-serves, which would then
  be stored twice. Time-range reads go through `mention_brands` (below) and `ix_mentions_published_at_id`;
  if retention by dropping months is ever needed, partition with a separate (id -> month) key table.
- `mention_brands` repeats `published_at`, `source` and `author` so its primary key (brand_id,
  published_at, mention_id) serves both the per-brand history read with keyset paging and the rollup
  recount of one brand-hour as a range scan that never visits `mentions` (measured: the recount is the
  largest cost of a batch); `ix_mention_brands_mention_id` serves joins back and cascading deletes. No
  foreign key to `brands`: history outlives a brand's removal.
- `enrichments` has no foreign key to `mentions`: the enriched stream may deliver an enrichment before the
  raw stream delivers its mention, and it must wait for it, not be lost.
- `hourly_rollups` is keyed (brand_id, hour, source): a dashboard's long range for one brand is one range
  scan of at most 24 rows per day per source.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")
EMPTY_OBJECT = sa.text("'{}'::jsonb")


def upgrade() -> None:
    op.create_table(
        "mentions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("url", sa.Text()),
        sa.Column("title", sa.Text(), server_default="", nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("author", sa.Text()),
        sa.Column("lang", sa.Text()),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("meta", postgresql.JSONB(), server_default=EMPTY_OBJECT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentions")),
    )
    op.create_index(op.f("ix_mentions_published_at_id"), "mentions", ["published_at", "id"])
    op.create_table(
        "mention_brands",
        sa.Column("brand_id", sa.BigInteger(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "mention_id",
            sa.Uuid(),
            sa.ForeignKey(
                "mentions.id", name=op.f("fk_mention_brands_mention_id_mentions"), ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("author", sa.Text()),
        sa.PrimaryKeyConstraint("brand_id", "published_at", "mention_id", name=op.f("pk_mention_brands")),
    )
    op.create_index(op.f("ix_mention_brands_mention_id"), "mention_brands", ["mention_id"])
    op.create_table(
        "enrichments",
        sa.Column("mention_id", sa.Uuid(), primary_key=True),
        sa.Column("sentiment_label", sa.Text()),
        sa.Column("sentiment_score", sa.Float()),
        sa.Column("sentiment_probabilities", postgresql.JSONB()),
        sa.Column("emotion_label", sa.Text()),
        sa.Column("emotion_probabilities", postgresql.JSONB()),
        sa.Column("entities", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column("keywords", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("models", postgresql.JSONB(), server_default=EMPTY_OBJECT, nullable=False),
        sa.Column("skipped", postgresql.JSONB(), server_default=EMPTY_OBJECT, nullable=False),
        sa.Column("enriched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.CheckConstraint(
            "sentiment_label IN ('negative', 'neutral', 'positive')",
            name=op.f("ck_enrichments_sentiment_label"),
        ),
        sa.PrimaryKeyConstraint("mention_id", name=op.f("pk_enrichments")),
    )
    op.create_table(
        "hourly_rollups",
        sa.Column("brand_id", sa.BigInteger(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("neutral", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("sentiment_score_mean", sa.Float()),
        sa.Column("unique_authors", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("brand_id", "hour", "source", name=op.f("pk_hourly_rollups")),
    )


def downgrade() -> None:
    op.drop_table("hourly_rollups")
    op.drop_table("enrichments")
    op.drop_table("mention_brands")
    op.drop_table("mentions")
