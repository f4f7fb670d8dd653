"""Delivers a due reminder as a Telegram message, through the connector's Bot API client."""

from __future__ import annotations

import logging

from actions.buttons import button
from actions.persistence.models import ReminderOutcome
from actions.persistence.reminders import ReminderStore, ReminderView
from actions.reminders.texts import texts
from bot.channels.telegram.api import TelegramApiError, TelegramClient
from bot.channels.telegram.format import inline_keyboard

logger = logging.getLogger(__name__)
BLOCKED = 403  # "Forbidden: bot was blocked by the user" (or the account is gone)
CHECK_IN = "regular_check_ins"


def start_button() -> dict[str, str]:
    """One tap opens the check-in exercise (a payload that fits Telegram's 64 bytes)."""
    return button(texts().start_button, "start_exercise", exercise=CHECK_IN)


def _verbatim(payload: str) -> str:
    if len(payload.encode()) > 64:
        raise ValueError("a reminder button payload must fit Telegram's callback_data")
    return payload


class TelegramDelivery:
    def __init__(self, client: TelegramClient, store: ReminderStore) -> None:
        self.client = client
        self.store = store

    async def __call__(self, reminder: ReminderView) -> str:
        message = {
            "chat_id": reminder.sender_id,
            "text": texts().push,
            "reply_markup": {"inline_keyboard": inline_keyboard([start_button()], _verbatim)},
        }
        try:
            await self.client.call("sendMessage", message)
        except TelegramApiError as error:
            if error.error_code == BLOCKED:
                self.store.deactivate_all(reminder.sender_id)
                return ReminderOutcome.BLOCKED
            return ReminderOutcome.FAILED
        return ReminderOutcome.SENT


async def not_configured(reminder: ReminderView) -> str:
    """Without a bot token nothing can be pushed; the reminder is marked, not retried."""
    logger.warning("Reminder %s not sent: TELEGRAM_TOKEN is not set", reminder.id)
    return ReminderOutcome.FAILED
