"""The outbox of messages on their way through a channel, handled input keys, and the channel address.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as table:
        table.add_column(sa.Column("address", sa.Text(), nullable=True))
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_outbox_conversation_id_id", "outbox", ["conversation_id", "id"])
    op.create_table(
        "handled_inputs",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_handled_inputs_handled_at", "handled_inputs", ["handled_at"])


def downgrade() -> None:
    op.drop_index("ix_handled_inputs_handled_at", "handled_inputs")
    op.drop_table("handled_inputs")
    op.drop_index("ix_outbox_conversation_id_id", "outbox")
    op.drop_table("outbox")
    with op.batch_alter_table("conversations") as table:
        table.drop_column("address")
