"""The real action server: the shared secret on every call, and a hanging database that
holds one person's turn while `/health` and other calls still answer."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.paths import REPO_ROOT
from tests.support.hanging_server import HangingServer
from tests.support.live import VENV_BIN, free_port, wait_for
from tests.support.trackers import build_tracker

TOKEN = "t" * 40


def start_action_server(tmp_path: Path, database_url: str, **env: str) -> tuple[str, object]:
    port = free_port()
    with open(tmp_path / "actions.log", "ab") as log:  # the child keeps its own copy
        process = subprocess.Popen(
            [str(VENV_BIN / "python"), "-m", "bot.action_server", "--port", str(port)],
            cwd=REPO_ROOT,
            env={
                "PATH": "/usr/bin:/bin",
                "DATABASE_URL": database_url,
                "ACTION_SERVER_TOKEN": TOKEN,
                "PYTHONWARNINGS": "ignore",
                **env,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    wait_for(f"{base}/health", process, seconds=90)
    return base, process


@pytest.fixture
def action_server(tmp_path: Path) -> Iterator[str]:
    base, process = start_action_server(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    yield base
    process.terminate()
    process.wait(timeout=30)


def action_call(action: str, sender: str, text: str, intent: str) -> bytes:
    tracker = build_tracker(text, intent, sender_id=sender).current_state()
    return json.dumps(
        {"next_action": action, "sender_id": sender, "tracker": tracker, "domain": {}}
    ).encode()


def post(url: str, body: bytes, token: str | None, timeout: float = 30) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


EXPORT = ("action_export_my_data", "victim", "export my data", "export_my_data")


@pytest.mark.parametrize("token", [None, "", "wrong" * 8, TOKEN + "x", TOKEN[:-1]])
def test_a_forged_call_is_refused_and_runs_nothing(action_server: str, token) -> None:
    status, body = post(f"{action_server}/webhook", action_call(*EXPORT), token)
    assert status == 401
    assert body == {"error": "unauthorized"}


def test_the_action_list_needs_the_secret_too(action_server: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{action_server}/actions", timeout=10)
    assert refused.value.code == 401


def test_a_call_with_the_secret_runs_the_action(action_server: str) -> None:
    status, body = post(f"{action_server}/webhook", action_call(*EXPORT), TOKEN)
    assert status == 200
    assert [m["response"] for m in body["responses"]] == ["utter_data_export"]


def test_a_body_that_is_not_an_object_is_400(action_server: str) -> None:
    for body in (b"", b"[]", b'"x"', b"{not json"):
        assert post(f"{action_server}/webhook", body, TOKEN)[0] == 400


def test_a_hanging_database_holds_one_turn_and_health_still_answers(tmp_path: Path) -> None:
    with HangingServer() as database:
        url = f"postgresql://postgres@127.0.0.1:{database.port}/app"
        base, process = start_action_server(tmp_path, url, ACTION_DEADLINE_SECONDS="8")
        try:
            import threading

            result: dict = {}
            export = threading.Thread(
                target=lambda: result.update(
                    reply=post(f"{base}/webhook", action_call(*EXPORT), TOKEN, timeout=60)
                )
            )
            started = time.monotonic()
            export.start()
            time.sleep(1)  # the export is now waiting on the database
            health_started = time.monotonic()
            with urllib.request.urlopen(f"{base}/health", timeout=5) as reply:
                assert reply.status == 200
            health_seconds = time.monotonic() - health_started
            export.join(60)
            export_seconds = time.monotonic() - started
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(
        f"/health during a hanging export: {health_seconds:.3f} s; export ended after "
        f"{export_seconds:.1f} s with {result.get('reply')}"
    )
    assert health_seconds < 1
    status, body = result["reply"]
    # The database connect timeout (5 s) ends the wait: the person is told, nothing hangs.
    assert status == 200
    assert [m["response"] for m in body["responses"]] == ["utter_export_unavailable"]
