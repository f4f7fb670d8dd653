"""The Telegram channel's durable state: accepted updates, the reply outbox, one row per chat.

Written by the Rasa process (bot/channels/telegram/store.py), in the app database so that
every Rasa instance shares it. Message text is kept only until it has been processed or
sent; what stays afterwards is ids, states and times (docs/telegram.md, "What is stored").
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, DateTime, ForeignKey, Integer, String, Text

from actions.persistence.models import Base, utcnow


class UpdateStatus:
    PENDING = "pending"  # accepted, not yet processed
    DONE = "done"  # processed (its text is gone); kept a while for dedup


class OutboxStatus:
    PENDING = "pending"  # waiting to be sent (maybe until not_before)
    SENT = "sent"  # Telegram confirmed it; never sent again
    GAVE_UP = "gave_up"  # dropped for good, and logged


class TelegramChat(Base):
    """One Telegram chat: its internal id (used in logs), a lease and per-chat flags."""

    __tablename__ = "telegram_chats"

    id = Column(Integer, primary_key=True)
    chat_id = Column(String(40), nullable=False, unique=True)
    # The instance working on this chat, until when; expired leases are taken over.
    lease_owner = Column(String(40))
    lease_until = Column(DateTime(timezone=True))
    # The message whose inline keyboard is the current step's; presses on others are ignored.
    keyboard_message_id = Column(BigInteger)
    edit_notice_sent = Column(Boolean, nullable=False, default=False)
    group_notice_sent = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class TelegramUpdate(Base):
    """An accepted update. The primary key is Telegram's update_id: a redelivery is a duplicate
    on every instance."""

    __tablename__ = "telegram_updates"

    update_id = Column(BigInteger, primary_key=True, autoincrement=False)
    chat_ref = Column(
        ForeignKey("telegram_chats.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = Column(String(20), nullable=False)
    text = Column(Text)  # the text or button data; cleared once processed
    message_id = Column(BigInteger)  # for a button press: the message the keyboard is on
    status = Column(String(10), nullable=False, default=UpdateStatus.PENDING, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    received_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    done_at = Column(DateTime(timezone=True))


class TelegramOutbox(Base):
    """One Bot API call to make for a chat, in id order. A reply's calls share `reply_key`."""

    __tablename__ = "telegram_outbox"

    id = Column(Integer, primary_key=True)
    chat_ref = Column(
        ForeignKey("telegram_chats.id", ondelete="CASCADE"), nullable=False, index=True
    )
    reply_key = Column(String(40), nullable=False)
    method = Column(String(40), nullable=False)
    payload = Column(Text)  # JSON; cleared once sent or given up
    status = Column(String(10), nullable=False, default=OutboxStatus.PENDING, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    not_before = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    finished_at = Column(DateTime(timezone=True))
    message_id = Column(BigInteger)  # what Telegram returned for a sent message
