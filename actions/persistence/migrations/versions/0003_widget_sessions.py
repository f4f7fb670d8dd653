"""widget sessions: issued tokens, their conversation and resume code (bot/widget/sessions.py)

Revision ID: 0003_widget_sessions
Revises: 0002_telegram_outbox
Create Date: 2026-12-02 17:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_widget_sessions"
down_revision = "0002_telegram_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "widget_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("remembered", sa.Boolean(), nullable=False),
        sa.Column("resume_code_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_widget_sessions")),
        sa.UniqueConstraint("resume_code_hash", name=op.f("uq_widget_sessions_resume_code_hash")),
    )
    op.create_index(
        op.f("ix_widget_sessions_conversation_id"), "widget_sessions", ["conversation_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_widget_sessions_conversation_id"), table_name="widget_sessions")
    op.drop_table("widget_sessions")
