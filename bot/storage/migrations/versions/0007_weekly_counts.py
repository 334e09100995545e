"""Anonymous weekly counters for statistics, kept after transcripts are purged.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "weekly_counts",
        sa.Column("iso_week", sa.String(8), nullable=False),
        sa.Column("metric", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("wait", sa.String(8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("iso_week", "metric", "channel", "language", "topic", "region", "wait"),
    )


def downgrade() -> None:
    op.drop_table("weekly_counts")
