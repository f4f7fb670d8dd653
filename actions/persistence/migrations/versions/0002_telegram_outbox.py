"""telegram chats, accepted updates and the reply outbox

Revision ID: 0002_telegram_outbox
Revises: 0001
Create Date: 2026-12-02 17:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_telegram_outbox"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "telegram_chats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.String(length=40), nullable=False),
        sa.Column("lease_owner", sa.String(length=40), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("keyboard_message_id", sa.BigInteger(), nullable=True),
        sa.Column("edit_notice_sent", sa.Boolean(), nullable=False),
        sa.Column("group_notice_sent", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_chats")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_telegram_chats_chat_id")),
    )
    op.create_table(
        "telegram_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_ref", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["chat_ref"],
            ["telegram_chats.id"],
            name=op.f("fk_telegram_updates_chat_ref_telegram_chats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_telegram_updates")),
    )
    with op.batch_alter_table("telegram_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_telegram_updates_chat_ref"), ["chat_ref"])
        batch_op.create_index(batch_op.f("ix_telegram_updates_status"), ["status"])
    op.create_table(
        "telegram_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_ref", sa.Integer(), nullable=False),
        sa.Column("reply_key", sa.String(length=40), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chat_ref"],
            ["telegram_chats.id"],
            name=op.f("fk_telegram_outbox_chat_ref_telegram_chats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_outbox")),
    )
    with op.batch_alter_table("telegram_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_telegram_outbox_chat_ref"), ["chat_ref"])
        batch_op.create_index(batch_op.f("ix_telegram_outbox_status"), ["status"])


def downgrade() -> None:
    op.drop_table("telegram_outbox")
    op.drop_table("telegram_updates")
    op.drop_table("telegram_chats")
