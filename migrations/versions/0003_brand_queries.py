"""brands: a Boolean query and optional feed URLs replace the keyword and exclusion lists.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

The query language (`brandpulse.brand_query`) expresses keywords and exclusions and more, so the two
arrays go. Upgrading writes each brand's query from its lists (or its quoted name when it had none);
downgrading keeps the brand's quoted name as its only keyword, as the lists cannot be recovered in SQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUERY_FROM_LISTS = """
UPDATE brands SET query = concat_ws(' ',
    '(' || coalesce(
        (SELECT string_agg('"' || replace(k, '"', '') || '"', ' OR ') FROM unnest(keywords) AS k WHERE k <> ''),
        '"' || replace(name, '"', '') || '"'
    ) || ')',
    (SELECT string_agg('-"' || replace(x, '"', '') || '"', ' ') FROM unnest(excluded_terms) AS x WHERE x <> '')
)
"""


def upgrade() -> None:
    op.add_column("brands", sa.Column("query", sa.Text()))
    op.add_column(
        "brands",
        sa.Column("feeds", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    )
    op.execute(QUERY_FROM_LISTS)
    op.alter_column("brands", "query", nullable=False)
    op.create_check_constraint(
        op.f("ck_brands_query_length"), "brands", "char_length(query) BETWEEN 1 AND 1000"
    )
    op.drop_column("brands", "keywords")
    op.drop_column("brands", "excluded_terms")


def downgrade() -> None:
    empty = sa.text("'{}'")
    op.add_column(
        "brands", sa.Column("keywords", postgresql.ARRAY(sa.Text()), server_default=empty, nullable=False)
    )
    op.add_column(
        "brands",
        sa.Column("excluded_terms", postgresql.ARRAY(sa.Text()), server_default=empty, nullable=False),
    )
    op.execute("UPDATE brands SET keywords = ARRAY[name]")
    op.drop_constraint(op.f("ck_brands_query_length"), "brands", type_="check")
    op.drop_column("brands", "feeds")
    op.drop_column("brands", "query")
