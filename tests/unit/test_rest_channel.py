"""Which REST requests reach the assistant (bot/channels/rest.py): local ones, or others
with the token; and only well-formed ones, whoever sends them."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sanic.compat import Header

from bot.channels.rest import LocalRestInput

TOKEN = "k" * 40
GOOD = {"sender": "person", "message": "hi"}


def request(body=GOOD, ip="127.0.0.1", **headers) -> SimpleNamespace:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return SimpleNamespace(
        headers=Header({k.replace("_", "-"): v for k, v in headers.items()}),
        conn_info=SimpleNamespace(client_ip=ip),
        body=raw,
    )


def status(channel: LocalRestInput, req) -> int:
    refused = channel.refusal(req)
    return 200 if refused is None else refused.status


@pytest.mark.parametrize(
    ("req", "without_token", "with_token"),
    [
        (request(), 200, 200),
        (request(ip="::1"), 200, 200),
        (request(ip="203.0.113.9"), 403, 401),
        (request(ip="203.0.113.9", authorization=f"Bearer {TOKEN}"), 403, 200),
        (request(ip="203.0.113.9", authorization="Bearer nope"), 403, 401),
        # Through a proxy on the same machine: the peer is local, the person is not.
        (request(x_forwarded_for="203.0.113.9"), 403, 401),
        (request(forwarded="for=203.0.113.9"), 403, 401),
        (request(x_real_ip="203.0.113.9", authorization=f"Bearer {TOKEN}"), 403, 200),
    ],
)
def test_who_may_speak(req, without_token, with_token):
    assert status(LocalRestInput(), req) == without_token
    assert status(LocalRestInput(token=TOKEN), req) == with_token


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", 400),
        (b"[]", 400),
        (b'"hello"', 400),
        (b"{not json", 400),
        ({"message": "hi"}, 400),
        ({"sender": "", "message": "hi"}, 400),
        ({"sender": 42, "message": "hi"}, 400),
        ({"sender": "p" * 256, "message": "hi"}, 400),
        ({"sender": "p" * 255, "message": "hi"}, 200),
        ({"sender": "p"}, 400),
        ({"sender": "p", "message": ["hi"]}, 400),
        ({"sender": "p", "message": "x" * 2001}, 413),
        ({"sender": "p", "message": "x" * 2000}, 200),
        ({"sender": "p", "message": "hi", "padding": "x" * 70_000}, 413),
    ],
)
def test_what_is_refused_and_why(body, expected):
    refused = LocalRestInput().refusal(request(body))
    assert (200 if refused is None else refused.status) == expected
    if refused is not None:
        assert json.loads(refused.body)["error"]  # a reason a developer can act on


def test_a_short_token_is_a_configuration_error():
    with pytest.raises(ValueError):
        LocalRestInput(token="short")


def test_the_token_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("REST_TOKEN", TOKEN)
    assert LocalRestInput.from_credentials(None).token == TOKEN
