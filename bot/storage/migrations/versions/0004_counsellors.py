"""Counsellors, their sessions, case notes, the audit log, and the handoff state machine's columns.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counsellors",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(80), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("max_concurrent", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("handoff_requests") as table:
        table.add_column(sa.Column("counsellor_id", sa.Integer(), nullable=True))
        table.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("outcome", sa.String(32), nullable=True))
        table.add_column(sa.Column("wrap_up_topic", sa.String(64), nullable=True))
        table.add_column(sa.Column("risk_checklist", sa.JSON(), nullable=True))
        table.create_foreign_key("fk_handoff_requests_counsellor_id", "counsellors", ["counsellor_id"], ["id"])
        table.create_index("ix_handoff_requests_counsellor_id", ["counsellor_id"])
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("handoff_requests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("counsellor_id", sa.Integer(), sa.ForeignKey("counsellors.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_case_notes_request_id", "case_notes", ["request_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counsellor_id", sa.Integer(), sa.ForeignKey("counsellors.id"), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.String(64), nullable=True),
        sa.Column("detail", sa.String(200), nullable=True),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("counsellor_id", sa.Integer(), sa.ForeignKey("counsellors.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_console_sessions_counsellor_id", "console_sessions", ["counsellor_id"])


def downgrade() -> None:
    op.drop_table("console_sessions")
    op.drop_table("audit_log")
    op.drop_table("case_notes")
    with op.batch_alter_table("handoff_requests") as table:
        table.drop_index("ix_handoff_requests_counsellor_id")
        table.drop_constraint("fk_handoff_requests_counsellor_id", type_="foreignkey")
        for column in ("risk_checklist", "wrap_up_topic", "outcome", "ended_at", "assigned_at", "counsellor_id"):
            table.drop_column(column)
    op.drop_table("counsellors")
