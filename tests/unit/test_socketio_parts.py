"""The widget's socket.io channel without servers: the output channel and the origin policy."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.socketio import (
    DEFAULT_ALLOWED_ORIGINS,
    ORIGINS_ENV,
    OriginPolicy,
    WidgetSocketIOInput,
    WidgetSocketIOOutput,
    configured_origins,
)


class RecordingServer:
    """Stands in for socketio.AsyncServer in the output channel: keeps what would be emitted."""

    def __init__(self) -> None:
        self.emitted: list[dict[str, Any]] = []

    async def emit(
        self, event: str, data: Any = None, room: str | None = None, **kwargs: Any
    ) -> None:
        self.emitted.append({"event": event, "data": data, "room": room, **kwargs})


async def test_images_buttons_and_custom_payloads_reach_the_page_intact():
    sio = RecordingServer()
    output = WidgetSocketIOOutput(sio, "bot_uttered")
    custom = {"chart": {"type": "line", "points": [1, 3, 2]}}
    await output.send_response(
        "s1", {"text": "Here", "buttons": [{"title": "Go", "payload": "/go"}]}
    )
    await output.send_response("s1", {"image": "https://example.org/chart.png"})
    await output.send_response("s1", {"custom": custom})
    assert [(e["event"], e["room"]) for e in sio.emitted] == [("bot_uttered", "s1")] * 3
    assert [e["data"] for e in sio.emitted] == [
        {
            "text": "Here",
            "quick_replies": [{"content_type": "text", "title": "Go", "payload": "/go"}],
        },
        {"attachment": {"type": "image", "payload": {"src": "https://example.org/chart.png"}}},
        {"custom": custom},
    ]


@pytest.mark.parametrize(
    "value, env, expected",
    [
        (
            ["https://Example.org/", "http://localhost:8080"],
            "",
            ("https://example.org", "http://localhost:8080"),
        ),
        ("https://a.example, https://b.example", "", ("https://a.example", "https://b.example")),
        (None, "https://from-env.example", ("https://from-env.example",)),
        (None, "", DEFAULT_ALLOWED_ORIGINS),
        ([], "", DEFAULT_ALLOWED_ORIGINS),
    ],
)
def test_allowed_origins_come_from_credentials_then_environment_then_the_demo(
    monkeypatch, value, env, expected
):
    monkeypatch.setenv(ORIGINS_ENV, env)
    assert configured_origins(value) == expected


@pytest.mark.parametrize(
    "bad", ["*", ["*"], "https://*.example.org", "example.org", "https://a.example/path", "null"]
)
def test_wildcards_and_non_origins_are_rejected(bad):
    with pytest.raises(ValueError, match="allowed origin"):
        configured_origins(bad)


def test_the_servers_own_page_is_allowed_and_others_are_not():
    policy = OriginPolicy(frozenset({"https://allowed.example"}))
    environ = {"wsgi.url_scheme": "http", "HTTP_HOST": "127.0.0.1:5005"}
    assert policy("https://allowed.example", environ)
    assert policy("http://127.0.0.1:5005", environ)
    assert not policy("https://evil.example", environ)
    assert not policy(None, environ)


def test_a_custom_namespace_is_refused_because_replies_would_never_reach_it():
    with pytest.raises(ValueError, match="default namespace"):
        WidgetSocketIOInput.from_credentials({"namespace": "/chat"})
