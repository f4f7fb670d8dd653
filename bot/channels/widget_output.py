"""What the widget receives for one bot message: one `bot_uttered` event, whole.

Rasa's socket.io output splits a message's text at blank lines into several events, sends
its buttons with the last part only, and its custom payload, image and attachment as more
events: the page could not tell which pieces belong together (one question arrived as four
bubbles). This output sends each bot message as one event with every part in it, and the
safety resources contract's `custom.links` checked on the way (only tel:, sms: and https:).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from rasa.core.channels.socketio import SocketIOOutput

LINK_SCHEMES = ("tel", "sms", "https")
MAX_LINKS = 12
MAX_LABEL = 120
MAX_HREF = 2048


def safe_link(link: Any) -> dict[str, str] | None:
    """{"label", "href"} when both are usable and the scheme is allowed, else None."""
    if not isinstance(link, dict):
        return None
    label, href = link.get("label"), link.get("href")
    if not (isinstance(label, str) and isinstance(href, str)) or not label.strip():
        return None
    href = href.strip()
    if len(href) > MAX_HREF or urlsplit(href).scheme.lower() not in LINK_SCHEMES:
        return None
    if href.lower().startswith("https:") and not urlsplit(href).netloc:
        return None
    return {"label": label.strip()[:MAX_LABEL], "href": href}


def clean_custom(custom: Any) -> Any:
    """The custom payload with its `links` reduced to safe ones (dropped when none are left)."""
    if not isinstance(custom, dict) or "links" not in custom:
        return custom
    links = [link for link in map(safe_link, custom.get("links") or []) if link][:MAX_LINKS]
    rest = {key: value for key, value in custom.items() if key != "links"}
    return {**rest, "links": links} if links else rest or None


def _image(message: dict[str, Any]) -> dict[str, Any] | None:
    if message.get("image"):
        return {"type": "image", "payload": {"src": message["image"]}}
    attachment = message.get("attachment")
    return attachment if isinstance(attachment, dict) else None


def widget_message(message: dict[str, Any]) -> dict[str, Any]:
    """Rasa's bot message dict -> the one event the widget gets (only the parts it shows)."""
    event: dict[str, Any] = {}
    if message.get("text"):
        event["text"] = message["text"]
    buttons = message.get("quick_replies") or message.get("buttons") or []
    if buttons:
        event["quick_replies"] = [
            {"content_type": "text", "title": button.get("title"), "payload": button.get("payload")}
            for button in buttons
            if isinstance(button, dict)
        ]
    attachment = _image(message)
    if attachment:
        event["attachment"] = attachment
    custom = clean_custom(message.get("custom"))
    if custom:
        event["custom"] = custom
    return event


class WidgetSocketIOOutput(SocketIOOutput):
    """Sends whole messages, and notes which domain responses were said (utter_action)."""

    def __init__(self, sio: Any, bot_message_evt: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.responses_said: list[str] = []

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        if message.get("utter_action"):
            self.responses_said.append(message["utter_action"])
        event = widget_message(message)
        if event:
            await self._send_message(recipient_id, event)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        # Rasa emits `**json_message`, which fails for any key but `data`: wrap it whole instead.
        await self._send_message(recipient_id, {"custom": clean_custom(json_message)})
