"""Registers the webhook with Telegram, from the server's startup or from the command line.

python -m bot.channels.telegram set-webhook    register TELEGRAM_WEBHOOK_URL with the secret
python -m bot.channels.telegram webhook-info   what Telegram has registered, and its last error
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.channels.telegram.api import TelegramApiError, TelegramClient
from bot.channels.telegram.settings import TelegramSettings, connector_texts

logger = logging.getLogger(__name__)

# Only the updates the connector acts on; the webhook still answers 200 to any other.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


async def register_webhook(client: TelegramClient, settings: TelegramSettings) -> None:
    """Points Telegram at the webhook with the secret, and publishes the command menu."""
    await client.call(
        "setWebhook",
        {
            "url": settings.webhook_url,
            "secret_token": settings.webhook_secret,
            "allowed_updates": ALLOWED_UPDATES,
        },
    )
    commands = connector_texts()["commands"]
    await client.call(
        "setMyCommands",
        {
            "commands": [
                {"command": command, "description": text} for command, text in commands.items()
            ],
        },
    )
    logger.info("Telegram webhook registered")


def setup_problems(settings: TelegramSettings) -> list[str]:
    problems = settings.problems()
    if not settings.webhook_url:
        problems.append("TELEGRAM_WEBHOOK_URL is not set")
    elif not settings.webhook_url.startswith("https://"):
        problems.append("TELEGRAM_WEBHOOK_URL must be an https:// URL (Telegram refuses others)")
    return problems


async def _run(command: str, settings: TelegramSettings) -> None:
    client = TelegramClient(settings.access_token, settings.api_base)
    try:
        if command == "set-webhook":
            await register_webhook(client, settings)
            print(f"Webhook set to {settings.webhook_url}")
        else:
            info = await client.call("getWebhookInfo")
            for field in (
                "url",
                "pending_update_count",
                "last_error_date",
                "last_error_message",
                "allowed_updates",
            ):
                print(f"{field}: {info.get(field, '')}")
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.channels.telegram",
        description="Manage the Telegram webhook (settings from TELEGRAM_* variables)",
    )
    parser.add_argument("command", choices=["set-webhook", "webhook-info"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    settings = TelegramSettings.load()
    if args.command == "set-webhook":
        problems = setup_problems(settings)
    else:
        problems = [] if settings.access_token else ["TELEGRAM_TOKEN is not set"]
    if problems:
        print("error: " + "; ".join(problems), file=sys.stderr)
        return 2
    try:
        asyncio.run(_run(args.command, settings))  # its own loop: this is a separate process
    except TelegramApiError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
