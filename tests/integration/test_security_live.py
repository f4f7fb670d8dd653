"""The real Rasa server and action server, as an attacker and as a person would meet them:
REST refuses what it must, nginx exposes only what people use, and message text stays out of
the log."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request

import pytest

from tests.support.live import LiveServers
from tests.support.nginx import ThrowawayNginx

pytestmark = pytest.mark.live

REST_TOKEN = "r" * 40
MARKER = "zebra-quartz-4711 he read my diary"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("security")
    with LiveServers.running(workdir, extra_env={"REST_TOKEN": REST_TOKEN}) as live:
        yield live


def post(url: str, body: bytes | dict, context=None, **headers: str) -> tuple[int, object]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=raw,
        headers={"Content-Type": "application/json"}
        | {name.replace("_", "-"): value for name, value in headers.items()},
    )
    try:
        with urllib.request.urlopen(request, timeout=60, context=context) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, text


def rest(servers: LiveServers) -> str:
    return f"http://127.0.0.1:{servers.rasa_port}/webhooks/rest/webhook"


def test_a_local_request_with_a_sender_is_answered(servers):
    status, replies = post(rest(servers), {"sender": "local-person", "message": "hi"})
    assert status == 200 and "automated self-help assistant" in replies[0]["text"]


@pytest.mark.parametrize(
    "body",
    [b"", b"[]", b'"hi"', {"message": "hi"}, {"sender": "x" * 256, "message": "hi"}],
)
def test_malformed_requests_get_400_and_nobody_shares_a_default_conversation(servers, body):
    status, reply = post(rest(servers), body)
    assert status == 400 and reply["error"]


def test_a_forwarded_request_needs_the_token(servers):
    forged = {"sender": "victim", "message": "export my data"}
    status, _ = post(rest(servers), forged, X_Forwarded_For="203.0.113.9")
    assert status == 401
    status, _ = post(
        rest(servers), forged, X_Forwarded_For="203.0.113.9", Authorization="Bearer wrong"
    )
    assert status == 401
    status, replies = post(
        rest(servers),
        {"sender": "backend-person", "message": "hi"},
        X_Forwarded_For="203.0.113.9",
        Authorization=f"Bearer {REST_TOKEN}",
    )
    assert status == 200 and replies


def test_a_1_mb_message_is_refused_quickly_and_never_logged(servers):
    body = {"sender": "big", "message": MARKER + " " + "y" * 1024 * 1024}
    status, reply = post(rest(servers), body)
    # Sanic's own limit (1 MB, bot/scripts/lib.sh) answers before REST reads the body.
    assert status == 413 and "exceeds the size limit" in str(reply)
    log = (servers.workdir / "rasa.log").read_bytes()
    assert MARKER.encode() not in log


def test_what_a_person_types_is_not_in_the_log_even_when_the_turn_fails(servers):
    chat = servers.chat("logged")
    chat.say(MARKER)
    servers.stop_action_server()
    try:
        chat.say(MARKER + " again")
        assert "something went wrong on my side" in chat.text  # not an empty reply
    finally:
        servers.start_action_server()
    chat.say("hi")
    assert "something went wrong" not in chat.text
    log = (servers.workdir / "rasa.log").read_text(errors="replace")
    assert "could not run" in log  # the failure itself is logged ...
    assert "zebra-quartz" not in log  # ... without what the person wrote


def test_every_channel_refuses_a_body_over_1_mb_before_reading_it(servers):
    base = f"http://127.0.0.1:{servers.rasa_port}"
    body = {"update_id": 1, "padding": "z" * (2 * 1024 * 1024)}
    for path in ("/webhooks/telegram/webhook", "/webhooks/rest/webhook"):
        status, _ = post(base + path, body)
        assert status == 413, path


@pytest.fixture(scope="module")
def nginx(servers):
    with ThrowawayNginx(servers.rasa_port) as proxy:
        yield proxy


UNVERIFIED = ssl._create_unverified_context()


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30, context=UNVERIFIED) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def test_nginx_serves_the_widget_and_socket_io(nginx):
    assert get(f"{nginx.base}/widget/") == 200
    assert get(f"{nginx.base}/socket.io/?EIO=4&transport=polling") in (200, 400, 403)
    # 200/400/403 all come from Rasa's socket.io server (an origin check may refuse a
    # handshake without Origin); nginx's own refusal would be 404.
    assert get(f"{nginx.base}/socket.io/?EIO=4&transport=polling") != 404


def test_nginx_forwards_the_telegram_webhook_to_rasa(nginx):
    status, _ = post(f"{nginx.base}/webhooks/telegram/webhook", {"update_id": 1}, UNVERIFIED)
    assert status in (401, 403, 503)  # Rasa's answer without Telegram's secret, not 404
    assert get(f"{nginx.base}/webhooks/telegram/webhook") == 403  # POST only


@pytest.mark.parametrize(
    "path",
    [
        "/webhooks/rest/webhook",
        "/webhooks/rest/",
        "/webhooks/socketio/",
        "/",
        "/status",
        "/version",
        "/model/parse",
        "/conversations/victim/tracker",
        "/widget/../webhooks/rest/webhook",
        "/socket.io/../webhooks/rest/webhook",
        "/socket.io/%2e%2e/webhooks/rest/webhook",
        "/webhooks/telegram/webhook/../../rest/webhook",
    ],
)
def test_nginx_exposes_nothing_else(nginx, path):
    status, _ = post(f"{nginx.base}{path}", {"sender": "victim", "message": "hi"}, UNVERIFIED)
    assert status in (403, 404), path
    assert get(f"{nginx.base}{path}") == 404 or path.startswith("/widget/"), path


def test_nginx_refuses_a_large_body_with_413(nginx):
    body = {"update_id": 1, "padding": "z" * (2 * 1024 * 1024)}
    status, _ = post(f"{nginx.base}/webhooks/telegram/webhook", body, UNVERIFIED)
    assert status == 413


def test_the_nginx_site_passes_nginx_t(servers):
    result = ThrowawayNginx(servers.rasa_port).check()
    assert result.returncode == 0, result.stderr
