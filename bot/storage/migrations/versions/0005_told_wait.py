"""What a waiting young person was last told about their place in the queue.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoff_requests") as table:
        table.add_column(sa.Column("told_wait", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoff_requests") as table:
        table.drop_column("told_wait")
