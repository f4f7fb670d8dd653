"""Rasa's REST channel, for local use only unless a token is presented.

Stock REST trusts the `sender` it is sent: anyone who can reach it acts as any person (a
widget session id or a Telegram user's public numeric id is enough to export or delete
their data), and a request without `sender` lands in one `default` conversation shared by
everyone. This channel keeps Rasa's REST protocol (`POST /webhooks/rest/webhook`, also
`?stream=true`) and refuses, before anything is read or stored:

- 403 a request that is not local (peer not a loopback address, or forwarded by a proxy)
  unless it carries `Authorization: Bearer <REST_TOKEN>`; 401 a wrong token. A trusted
  backend with the token may speak for any sender: that is what the token is for;
- 413 a body over `max_body_bytes` (64 KiB) or a message over `max_message_length`;
- 400 a body that is not a JSON object, a missing, empty or non-text `sender`, a sender
  over 255 characters (the tracker store's column), a `message` that is not text.

Errors are JSON `{"error": "..."}` with a plain-language reason.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
from typing import Any

from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.shared_secret import MIN_LENGTH, bearer_matches

logger = logging.getLogger(__name__)

TOKEN_ENV = "REST_TOKEN"
MAX_SENDER_LENGTH = 255
DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_MAX_MESSAGE_LENGTH = 2000
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip", "x-forwarded-host")


def _error(status: int, reason: str):
    return response.json({"error": reason}, status=status)


def is_local(request: Request) -> bool:
    """The peer is this machine and no proxy relayed the request for someone else."""
    if any(header in request.headers for header in FORWARDING_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.conn_info.client_ip).is_loopback
    except (AttributeError, ValueError):
        return False


class LocalRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"  # same URL as Rasa's channel: /webhooks/rest/webhook

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> LocalRestInput:
        credentials = credentials or {}
        return cls(
            token=credentials.get("token") or os.environ.get(TOKEN_ENV) or None,
            max_body_bytes=int(credentials.get("max_body_bytes", DEFAULT_MAX_BODY_BYTES)),
            max_message_length=int(
                credentials.get("max_message_length", DEFAULT_MAX_MESSAGE_LENGTH)
            ),
        )

    def __init__(
        self,
        token: str | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_message_length: int = DEFAULT_MAX_MESSAGE_LENGTH,
    ) -> None:
        if token is not None and len(token) < MIN_LENGTH:
            raise ValueError(f"{TOKEN_ENV} must be at least {MIN_LENGTH} characters")
        self.token = token
        self.max_body_bytes = max_body_bytes
        self.max_message_length = max_message_length

    def refusal(self, request: Request):
        """The error response for a request that must not reach the assistant, or None."""
        header = request.headers.get("Authorization")
        if header is not None or not is_local(request):
            if self.token is None:
                return _error(403, "REST is for local use only on this server")
            if not bearer_matches(header, self.token):
                return _error(401, "a valid REST token is required")
        if len(request.body or b"") > self.max_body_bytes:
            return _error(413, f"the request body is over {self.max_body_bytes} bytes")
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            return _error(400, "the body must be a JSON object")
        if not isinstance(body, dict):
            return _error(400, "the body must be a JSON object")
        sender = body.get("sender")
        if not isinstance(sender, str) or not sender.strip():
            return _error(400, "`sender` is required: the id of the person's conversation")
        if len(sender) > MAX_SENDER_LENGTH:
            return _error(400, f"`sender` is over {MAX_SENDER_LENGTH} characters")
        message = body.get("message")
        if not isinstance(message, str):
            return _error(400, "`message` is required and must be text")
        if len(message) > self.max_message_length:
            return _error(
                413, f"the message is over {self.max_message_length} characters: please shorten it"
            )
        return None

    def blueprint(self, on_new_message) -> Blueprint:
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def check(request: Request):
            if request.method == "POST":
                refused = self.refusal(request)
                if refused is not None:
                    logger.warning("REST: refused a request (%s)", refused.status)
                return refused
            return None

        return blueprint
