"""The website widget's socket.io channel: Rasa 3.6's `socketio` connector, fixed.

Use it in credentials.yml as `bot.channels.socketio.WidgetSocketIOInput`. Compared with
Rasa's `SocketIOInput` it:
- awaits `enter_room`, so replies reach the page when session persistence is on
  (python-socketio made it a coroutine in 5.10; Rasa never awaits it: RasaHQ/rasa#13027);
- accepts only session tokens it issued and that are still live (bot/widget/sessions.py:
  they expire after inactivity), opens the conversation a token belongs to (a server-side id
  the page never sees), and replaces the token and the conversation after "delete my data";
- lets the page continue a conversation with a resume code (failed codes are limited per
  address), or remember it on the device for longer;
- acknowledges every message (accepted or why not), so the page knows what was sent, and
  drops a message it already accepted when the page re-sends it after a reconnect;
- accepts connections only from configured origins and the server's own, never from any;
- answers empty, over-long and unreadable messages itself instead of passing them on;
- sends each bot message as one event (bot/channels/widget_output.py);
- serves the widget's built files and demo page from the same server (bot.widget.web).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import rasa.core.channels.channel
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from actions.slots import DATA_DELETED
from bot.channels.widget_output import WidgetSocketIOOutput
from bot.widget.attempts import FailureLimit
from bot.widget.content import ChannelTexts, load_texts
from bot.widget.sessions import Session, WidgetSessions
from bot.widget.web import widget_blueprint

logger = logging.getLogger(__name__)

ORIGINS_ENV = "WIDGET_ALLOWED_ORIGINS"
# The demo page served by `make run` (its own origin is always accepted as well).
DEFAULT_ALLOWED_ORIGINS = ("http://localhost:5005", "http://127.0.0.1:5005")
DEFAULT_MAX_MESSAGE_LENGTH = 2000
# Engine.io's default accepts 1 MB packets. A chat message needs far less, but a packet over
# the limit makes engine.io drop the connection without a word: the limit sits well above
# what the widget can send (it refuses more than max_message_length itself), so anything
# between the two gets the channel's clear "too long" reply.
MAX_PACKET_BYTES = 256 * 1024
MAX_METADATA_BYTES = 2048  # what a page may attach to a message (the widget attaches nothing)
# Tokens are the server's secrets.token_hex(16); anything else was never issued.
SESSION_TOKEN = re.compile(r"[0-9a-f]{32}")
MESSAGE_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
MAX_CODE_INPUT = 40
RECENT_MESSAGE_IDS = 5000  # per process: enough to recognise a re-sent message after a reconnect
# Said by "delete my data" (actions/dialogue/moves.py delete_data), which also sets the
# DATA_DELETED slot: the two together end the widget session.
DELETION_RESPONSE = "utter_data_deleted"

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
    """A page's metadata for a message: a small JSON object, else nothing (never an error)."""
    if isinstance(value, str):
        if len(value) > MAX_METADATA_BYTES:
            return {}
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, dict):
        return {}
    try:
        size = len(json.dumps(value, default=str))
    except (TypeError, ValueError, RecursionError):
        return {}
    return value if size <= MAX_METADATA_BYTES else {}


def client_address(environ: dict[str, Any]) -> str:
    """Where a socket comes from. X-Real-IP counts only from a proxy on this machine (the
    nginx set-up); from anyone else it could be made up to escape the resume-code limit."""
    peer = str(environ.get("REMOTE_ADDR") or "")
    forwarded = environ.get("HTTP_X_REAL_IP")
    if forwarded and peer in ("127.0.0.1", "::1"):
        return str(forwarded)[:64]
    return peer


def idle_limits(credentials: dict[str, Any]) -> dict[str, timedelta]:
    """`session_idle_seconds` / `remembered_session_idle_seconds` from credentials.yml, when
    an operator wants other limits than bot/widget/sessions.py's (tests use seconds)."""
    limits = {}
    for key, name in [
        ("session_idle_seconds", "tab_idle"),
        ("remembered_session_idle_seconds", "remembered_idle"),
    ]:
        if credentials.get(key) is not None:
            seconds = float(credentials[key])
            if seconds <= 0:
                raise ValueError(f"{key} must be a positive number of seconds")
            limits[name] = timedelta(seconds=seconds)
    return limits


class WidgetSocketBlueprint(SocketBlueprint):
    def __init__(self, *args: Any, on_register: Callable[[Sanic], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.on_register = on_register

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        super().register(app, options)
        self.ctx.on_register(app)
        # The widget is served at the app's root (/widget/), not under this channel's
        # /webhooks/ prefix.
        app.blueprint(widget_blueprint())


def _refused(reason: str) -> dict[str, str]:
    return {"status": "refused", "reason": reason}


ACCEPTED = {"status": "accepted"}


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
            idle_limits=idle_limits(credentials),
        )

    def __init__(
        self,
        *args: Any,
        allowed_origins: Iterable[str] = DEFAULT_ALLOWED_ORIGINS,
        max_message_length: int = DEFAULT_MAX_MESSAGE_LENGTH,
        texts: ChannelTexts | None = None,
        sessions: WidgetSessions | None = None,
        idle_limits: dict[str, timedelta] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_origins = frozenset(normalise_origin(origin) for origin in allowed_origins)
        self.max_message_length = max_message_length
        self._texts = texts
        self._sessions = sessions
        self._idle_limits = idle_limits or {}
        self._on_new_message: MessageHandler | None = None
        self._app: Sanic | None = None
        self.code_failures = FailureLimit()
        self._accepted: OrderedDict[tuple[str, str], None] = OrderedDict()

    @property
    def texts(self) -> ChannelTexts:
        if self._texts is None:  # read lazily: nothing happens at import or construction
            self._texts = load_texts()
        return self._texts

    @property
    def sessions(self) -> WidgetSessions:
        if self._sessions is None:  # the app database (DATABASE_URL), opened on first use
            from actions.persistence.database import Database
            from actions.settings import get_settings

            database = Database(get_settings().database_url)
            self._sessions = WidgetSessions(database, **self._idle_limits)
        return self._sessions

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
            self.sio,
            self.socketio_path,
            "socketio_webhook",
            __name__,
            on_register=self._registered,
        )

        @socket_blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        self.sio.on("connect", self._on_connect)
        self.sio.on("session_request", self._on_session_request)
        self.sio.on("remember", self._on_remember)
        self.sio.on("resume_code_request", self._on_resume_code_request)
        self.sio.on(self.user_message_evt, self._on_user_message)
        return socket_blueprint

    def _registered(self, app: Sanic) -> None:
        self._app = app

    async def _on_connect(self, sid: str, environ: dict, auth: dict | None = None) -> bool:
        await self.sio.save_session(sid, {"address": client_address(environ)})
        if not self.jwt_key:
            return True
        token = auth.get("token") if isinstance(auth, dict) else None
        return bool(
            token
            and rasa.core.channels.channel.decode_bearer_token(
                token, self.jwt_key, self.jwt_algorithm
            )
        )

    # -- sessions ---------------------------------------------------------------------------

    async def _on_session_request(self, sid: str, data: Any = None) -> None:
        data = data if isinstance(data, dict) else {}
        remember = data.get("remember") if isinstance(data.get("remember"), bool) else None
        if not self.session_persistence:
            await self._confirm(sid, None, "new")
            return
        code = data.get("resume_code")
        if isinstance(code, str) and code.strip() and await self._redeem(sid, code, bool(remember)):
            return
        requested = data.get("session_id")
        session = None
        if isinstance(requested, str) and SESSION_TOKEN.fullmatch(requested):
            session = await self.sessions.open(requested, remember)
        if session is not None:
            status = "continued"
        else:
            session = await self.sessions.issue(remembered=bool(remember))
            # "expired": the page had a conversation that is gone (expired, ended or never
            # issued by this server); it says so and forgets its copy.
            status = "expired" if isinstance(requested, str) and requested else "new"
        await self._join(sid, session)
        await self._confirm(sid, session, status)

    async def _redeem(self, sid: str, code: str, remember: bool) -> bool:
        address = (await self.sio.get_session(sid)).get("address", "")
        if self.code_failures.blocked(address):
            await self.sio.emit("resume_refused", {"reason": "too_many_attempts"}, room=sid)
            return False
        session = await self.sessions.redeem(code[:MAX_CODE_INPUT], remember)
        if session is None:
            self.code_failures.fail(address)
            logger.warning("a widget resume code was refused")
            await self.sio.emit("resume_refused", {"reason": "unknown_or_expired"}, room=sid)
            return False
        await self._join(sid, session)
        await self._confirm(sid, session, "resumed")
        return True

    async def _join(self, sid: str, session: Session) -> None:
        stored = await self.sio.get_session(sid)
        previous = stored.get("session")
        if previous is not None and previous.conversation_id != session.conversation_id:
            await self.sio.leave_room(sid, previous.conversation_id)
        await self.sio.save_session(sid, {**stored, "session": session})
        await self.sio.enter_room(sid, session.conversation_id)  # the fix: Rasa forgets to await

    async def _confirm(self, sid: str, session: Session | None, status: str) -> None:
        body: dict[str, Any] = {"status": status}
        if session is None:
            body["session_id"] = sid
        else:
            body.update(
                session_id=session.token,
                remembered=session.remembered,
                expires_at=session.expires_at.isoformat(),
            )
        await self.sio.emit("session_confirm", body, room=sid)
        logger.debug("socket %s: %s widget session", sid, status)

    async def _live_session(self, sid: str) -> Session | None:
        """This socket's session, checked against the store (it may have expired or ended,
        possibly on another instance), with its inactivity clock restarted."""
        session = (await self.sio.get_session(sid)).get("session")
        if session is None:
            return None
        current = await self.sessions.open(session.token)
        if current is None:
            await self._leave(sid)
        else:
            stored = await self.sio.get_session(sid)
            await self.sio.save_session(sid, {**stored, "session": current})
        return current

    async def _leave(self, sid: str) -> None:
        stored = await self.sio.get_session(sid)
        session = stored.pop("session", None)
        if session is not None:
            await self.sio.leave_room(sid, session.conversation_id)
        await self.sio.save_session(sid, stored)

    async def _on_remember(self, sid: str, data: Any = None) -> dict[str, Any]:
        on = data.get("on") if isinstance(data, dict) else None
        session = (await self.sio.get_session(sid)).get("session")
        if not isinstance(on, bool) or session is None:
            return _refused("unreadable" if session else "no_session")
        current = await self.sessions.open(session.token, remembered=on)
        if current is None:
            await self._leave(sid)
            return _refused("session_expired")
        await self._join(sid, current)
        return {
            "status": "ok",
            "remembered": current.remembered,
            "expires_at": current.expires_at.isoformat(),
        }

    async def _on_resume_code_request(self, sid: str, data: Any = None) -> dict[str, Any]:
        session = await self._live_session(sid) if self.session_persistence else None
        if session is None:
            return _refused("session_expired")
        code = await self.sessions.new_resume_code(session)
        days = max(1, round(self.sessions.remembered_idle / timedelta(days=1)))
        return {"status": "ok", "code": code, "valid_days": days}

    # -- messages ---------------------------------------------------------------------------

    async def _on_user_message(self, sid: str, data: Any) -> dict[str, str]:
        """Checks the message and hands it to the assistant; the return value is the page's
        acknowledgement: accepted, or refused with a reason (and a reply saying so)."""
        text = data.get("message") if isinstance(data, dict) else None
        if not isinstance(text, str):
            await self._say(sid, self.texts.message_unreadable)
            return _refused("unreadable")
        if self.session_persistence:
            session = await self._live_session(sid)
            if session is None:
                return _refused("session_expired")  # the page starts over and keeps the text
            sender_id = session.conversation_id
        else:
            sender_id = sid
        refusal = self._refusal(text)
        if refusal:
            await self._say(sid, refusal[1])
            return _refused(refusal[0])
        message_id = data.get("message_id")
        known = isinstance(message_id, str) and MESSAGE_ID.fullmatch(message_id)
        if known and not self._first_time(sender_id, message_id):
            return ACCEPTED  # a re-send after a reconnect: it was already accepted
        output = WidgetSocketIOOutput(self.sio, self.bot_message_evt)
        message = UserMessage(
            text,
            output,
            sender_id,
            input_channel=self.name(),
            metadata=_metadata(data.get(self.metadata_key)),
        )
        # Accepted now, answered when ready: the page learns at once that it was sent.
        asyncio.ensure_future(self._handle(sid, message, output))
        return ACCEPTED

    async def _handle(self, sid: str, message: UserMessage, output: WidgetSocketIOOutput) -> None:
        try:
            await self._on_new_message(message)
            if DELETION_RESPONSE in output.responses_said and await self._forgotten(message):
                await self._rotate(sid, message.sender_id)
        except Exception:
            logger.exception("the widget message of socket %s could not be handled", sid)

    async def _forgotten(self, message: UserMessage) -> bool:
        agent = getattr(getattr(self._app, "ctx", None), "agent", None)
        if agent is None:
            return False
        tracker = await agent.tracker_store.retrieve(message.sender_id)
        return bool(tracker and tracker.get_slot(DATA_DELETED))

    async def _rotate(self, sid: str, conversation_id: str) -> None:
        """After "delete my data": every token of the conversation stops working; this socket
        gets a new token on a new, empty conversation, and any other socket on the old one
        (another tab) is told its conversation ended."""
        old = (await self.sio.get_session(sid)).get("session")
        await self.sessions.end_conversation(conversation_id)
        for other in list(self.sio.manager.get_participants("/", conversation_id)):
            other_sid = other[0] if isinstance(other, tuple) else other
            if other_sid != sid:
                await self._leave(other_sid)
                await self.sio.emit("session_ended", {"reason": "data_deleted"}, room=other_sid)
        session = await self.sessions.issue(remembered=bool(old and old.remembered))
        await self._join(sid, session)
        await self._confirm(sid, session, "rotated")
        logger.info("socket %s: widget session replaced after a deletion", sid)

    def _first_time(self, sender_id: str, message_id: str) -> bool:
        key = (sender_id, message_id)
        if key in self._accepted:
            return False
        self._accepted[key] = None
        while len(self._accepted) > RECENT_MESSAGE_IDS:
            self._accepted.popitem(last=False)
        return True

    async def _say(self, sid: str, text: str) -> None:
        await self.sio.emit(self.bot_message_evt, {"text": text}, room=sid)

    def _refusal(self, text: str) -> tuple[str, str] | None:
        if not text.strip():
            return "empty", self.texts.message_empty
        if len(text) > self.max_message_length:
            return "too_long", self.texts.too_long(self.max_message_length)
        return None
