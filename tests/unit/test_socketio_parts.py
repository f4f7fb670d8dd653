"""The widget's socket.io channel without servers: the output channel and the origin policy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.channels.socketio import (
    DEFAULT_ALLOWED_ORIGINS,
    ORIGINS_ENV,
    OriginPolicy,
    WidgetSocketIOInput,
    _metadata,
    client_address,
    configured_origins,
    idle_limits,
)
from bot.channels.widget_output import WidgetSocketIOOutput, clean_custom, safe_link


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


async def test_a_message_with_paragraphs_buttons_and_links_is_one_event():
    sio = RecordingServer()
    output = WidgetSocketIOOutput(sio, "bot_uttered")
    links = [
        {"label": "Samaritans 116 123", "href": "tel:116123"},
        {"label": "Shout", "href": "sms:85258"},
        {"label": "samaritans.org", "href": "https://www.samaritans.org"},
    ]
    await output.send_response(
        "c1",
        {
            "text": "First part.\n\nSecond part.",
            "buttons": [{"title": "Go", "payload": "/go"}],
            "custom": {"links": links},
            "utter_action": "utter_safety_resources",
        },
    )
    assert [e["data"] for e in sio.emitted] == [
        {
            "text": "First part.\n\nSecond part.",
            "quick_replies": [{"content_type": "text", "title": "Go", "payload": "/go"}],
            "custom": {"links": links},
        }
    ]
    assert output.responses_said == ["utter_safety_resources"]


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "http://example.org",
        "data:text/html,<b>x</b>",
        "mailto:a@example.org",
        "https:///nohost",
        "ftp://example.org",
        "https://example.org/" + "a" * 3000,
    ],
)
def test_links_other_than_tel_sms_and_https_are_dropped(href):
    assert safe_link({"label": "x", "href": href}) is None
    assert clean_custom({"links": [{"label": "x", "href": href}]}) is None
    kept = clean_custom({"links": [{"label": "x", "href": href}, {"label": "y", "href": "tel:1"}]})
    assert kept == {"links": [{"label": "y", "href": "tel:1"}]}


@pytest.mark.parametrize(
    "link",
    [None, "tel:1", {"label": "", "href": "tel:1"}, {"label": "x"}, {"label": 3, "href": "tel:1"}],
)
def test_malformed_links_are_dropped(link):
    assert safe_link(link) is None


def test_other_custom_keys_pass_with_the_links_checked():
    custom = {"chart": [1, 2], "links": [{"label": "ok", "href": "https://a.example"}, "bad"]}
    assert clean_custom(custom) == {
        "chart": [1, 2],
        "links": [{"label": "ok", "href": "https://a.example"}],
    }
    assert clean_custom({"chart": [1]}) == {"chart": [1]}


@pytest.mark.parametrize(
    "value, expected",
    [
        ({"a": 1}, {"a": 1}),
        ('{"a": 1}', {"a": 1}),
        ("not json", {}),
        ([1, 2], {}),
        ({"a": "x" * 5000}, {}),
        ("x" * 5000, {}),
    ],
)
def test_metadata_is_a_small_object_or_nothing(value, expected):
    assert _metadata(value) == expected


def test_x_real_ip_counts_only_from_a_local_proxy():
    assert client_address({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "9.9.9.9"}) == "9.9.9.9"
    assert client_address({"REMOTE_ADDR": "8.8.8.8", "HTTP_X_REAL_IP": "9.9.9.9"}) == "8.8.8.8"


def test_idle_limits_come_from_credentials_and_must_be_positive():
    assert idle_limits({"session_idle_seconds": 60}) == {"tab_idle": timedelta(seconds=60)}
    assert idle_limits({}) == {}
    with pytest.raises(ValueError, match="positive"):
        idle_limits({"remembered_session_idle_seconds": 0})
