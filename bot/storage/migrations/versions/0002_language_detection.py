"""Remember the language a conversation was last detected in, to offer a switch.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as table:
        table.add_column(sa.Column("detected_language", sa.String(8), nullable=True))
        table.add_column(sa.Column("detected_streak", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as table:
        table.drop_column("detected_streak")
        table.drop_column("detected_language")
