"""The website widget's socket.io channel: Rasa 3.6's `socketio` connector, fixed.

Use it in credentials.yml as `bot.channels.socketio.WidgetSocketIOInput`. Compared with
Rasa's `SocketIOInput` it:
- awaits `enter_room`, so replies reach the page when session persistence is on
  (python-socketio made it a coroutine in 5.10; Rasa never awaits it: RasaHQ/rasa#13027);
- issues the session id itself, remembers it per socket and keeps persistence on, so a
  page that reconnects or reloads with its stored id continues the same conversation;
- accepts connections only from configured origins and the server's own, never from any;
- answers empty and over-long messages itself instead of passing them to the assistant;
- sends custom payloads to the page as `{"custom": ...}` (Rasa passes their keys to emit());
- serves the widget's built files and demo page from the same server (bot.widget.web).
"""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import rasa.core.channels.channel
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.widget.content import ChannelTexts, load_texts
from bot.widget.web import widget_blueprint

logger = logging.getLogger(__name__)

ORIGINS_ENV = "WIDGET_ALLOWED_ORIGINS"
# The demo page served by `make run` (its own origin is always accepted as well).
DEFAULT_ALLOWED_ORIGINS = ("http://localhost:5005", "http://127.0.0.1:5005")
DEFAULT_MAX_MESSAGE_LENGTH = 2000
# Engine.io's default accepts 1 MB packets; a chat message needs far less.
MAX_PACKET_BYTES = 64 * 1024
# Session ids are the server's uuid4().hex: unguessable, and never another channel's sender id.
SESSION_ID = re.compile(r"[0-9a-f]{32}")

MessageHandler = Callable[[UserMessage], Awaitable[Any]]


def normalise_origin(raw: str) -> str:
    """`https://Example.org/` -> `https://example.org`; anything but one origin is an error."""
    text = str(raw).strip().rstrip("/")
    parts = urlsplit(text)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or "*" in text
        or parts.path
        or parts.query
        or parts.fragment
    ):
        raise ValueError(
            f"allowed origin {raw!r} must look like https://www.example.org "
            "(scheme and host, optional port; no wildcard, no path)"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def configured_origins(value: None | str | Iterable[str] = None) -> tuple[str, ...]:
    """The credentials value if set, else $WIDGET_ALLOWED_ORIGINS (comma-separated), else the
    demo's."""
    if value is None:
        value = os.environ.get(ORIGINS_ENV, "")
    items = value.split(",") if isinstance(value, str) else list(value)
    origins = tuple(normalise_origin(item) for item in items if str(item).strip())
    return origins or DEFAULT_ALLOWED_ORIGINS


@dataclass(frozen=True)
class OriginPolicy:
    """Engine.io's origin check: a configured origin, or the page this server itself serves."""

    allowed: frozenset[str]

    def __call__(self, origin: str | None, environ: dict[str, Any] | None = None) -> bool:
        return origin in self.allowed or (
            origin is not None and origin == _own_origin(environ or {})
        )


def _own_origin(environ: dict[str, Any]) -> str | None:
    host = environ.get("HTTP_HOST")
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host.lower()}" if host else None


def _metadata(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


class WidgetSocketIOOutput(SocketIOOutput):
    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        # Rasa emits `**json_message`, which fails for any key but `data`: wrap it whole instead.
        await self._send_message(recipient_id, {"custom": json_message})


class WidgetSocketBlueprint(SocketBlueprint):
    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        super().register(app, options)
        # The widget is served at the app's root (/widget/), not under this channel's
        # /webhooks/ prefix.
        app.blueprint(widget_blueprint())


class WidgetSocketIOInput(SocketIOInput):
    """Rasa's socket.io input channel with the fixes listed in this module's docstring."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        if credentials.get("namespace"):
            # Rasa emits replies to the default namespace only, so a custom one never gets them.
            raise ValueError(
                "the widget socket.io channel works on the default namespace only: "
                "remove `namespace`"
            )
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            session_persistence=credentials.get("session_persistence", True),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            jwt_key=credentials.get("jwt_key"),
            jwt_method=credentials.get("jwt_method", "HS256"),
            metadata_key=credentials.get("metadata_key", "metadata"),
            allowed_origins=configured_origins(credentials.get("allowed_origins")),
            max_message_length=int(
                credentials.get("max_message_length", DEFAULT_MAX_MESSAGE_LENGTH)
            ),
        )

    def __init__(
        self,
        *args: Any,
        allowed_origins: Iterable[str] = DEFAULT_ALLOWED_ORIGINS,
        max_message_length: int = DEFAULT_MAX_MESSAGE_LENGTH,
        texts: ChannelTexts | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_origins = frozenset(normalise_origin(origin) for origin in allowed_origins)
        self.max_message_length = max_message_length
        self._texts = texts
        self._on_new_message: MessageHandler | None = None

    @property
    def texts(self) -> ChannelTexts:
        if self._texts is None:  # read lazily: nothing happens at import or construction
            self._texts = load_texts()
        return self._texts

    def get_output_channel(self) -> OutputChannel | None:
        return (
            WidgetSocketIOOutput(self.sio, self.bot_message_evt) if self.sio is not None else None
        )

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        self._on_new_message = on_new_message
        self.sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=OriginPolicy(self.allowed_origins),
            max_http_buffer_size=MAX_PACKET_BYTES,
        )
        socket_blueprint = WidgetSocketBlueprint(
            self.sio, self.socketio_path, "socketio_webhook", __name__
        )

        @socket_blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        self.sio.on("connect", self._on_connect)
        self.sio.on("session_request", self._on_session_request)
        self.sio.on(self.user_message_evt, self._on_user_message)
        return socket_blueprint

    async def _on_connect(self, sid: str, environ: dict, auth: dict | None = None) -> bool:
        if not self.jwt_key:
            return True
        token = auth.get("token") if isinstance(auth, dict) else None
        return bool(
            token
            and rasa.core.channels.channel.decode_bearer_token(
                token, self.jwt_key, self.jwt_algorithm
            )
        )

    async def _on_session_request(self, sid: str, data: Any = None) -> None:
        requested = data.get("session_id") if isinstance(data, dict) else None
        is_known = isinstance(requested, str) and SESSION_ID.fullmatch(requested)
        session_id = requested if is_known else uuid.uuid4().hex
        previous = (await self.sio.get_session(sid)).get("session_id")
        if previous and previous != session_id:
            await self.sio.leave_room(sid, previous)
        await self.sio.save_session(sid, {"session_id": session_id})
        if self.session_persistence:
            await self.sio.enter_room(sid, session_id)  # the fix: Rasa forgets to await this
        await self.sio.emit("session_confirm", session_id, room=sid)
        logger.debug("socket %s joined a %s session", sid, "continued" if is_known else "new")

    async def _on_user_message(self, sid: str, data: Any) -> None:
        if not isinstance(data, dict):
            return
        sender_id = await self._sender_id(sid)
        if sender_id is None:
            logger.warning("socket %s sent a message before its session_request: ignored", sid)
            return
        text = data.get("message") if isinstance(data.get("message"), str) else ""
        refusal = self._refusal(text)
        if refusal:
            await self.sio.emit(self.bot_message_evt, {"text": refusal}, room=sid)
            return
        output = WidgetSocketIOOutput(self.sio, self.bot_message_evt)
        await self._on_new_message(
            UserMessage(
                text,
                output,
                sender_id,
                input_channel=self.name(),
                metadata=_metadata(data.get(self.metadata_key)),
            )
        )

    async def _sender_id(self, sid: str) -> str | None:
        # The session id this socket asked for, never one a message claims: a message cannot
        # speak for another conversation.
        if not self.session_persistence:
            return sid
        return (await self.sio.get_session(sid)).get("session_id")

    def _refusal(self, text: str) -> str | None:
        if not text.strip():
            return self.texts.message_empty
        if len(text) > self.max_message_length:
            return self.texts.too_long(self.max_message_length)
        return None
