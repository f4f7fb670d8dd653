"""The action-server secret: where it comes from, how it is compared, how endpoints.yml
sends it."""

from __future__ import annotations

import stat

import pytest
from rasa.utils.endpoints import read_endpoint_config

from bot.paths import REPO_ROOT
from bot.shared_secret import SecretMissing, action_server_token, bearer_matches

SECRET = "s" * 40


def test_from_the_environment_first(tmp_path):
    env = {"ACTION_SERVER_TOKEN": SECRET, "ACTION_SERVER_TOKEN_FILE": str(tmp_path / "f")}
    assert action_server_token(env) == SECRET
    assert not (tmp_path / "f").exists()


def test_else_from_a_private_file_created_once(tmp_path):
    path = tmp_path / "var" / "action_server.secret"
    env = {"ACTION_SERVER_TOKEN_FILE": str(path)}
    first = action_server_token(env)
    assert len(first) >= 32 and action_server_token(env) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_short_secret_is_refused():
    with pytest.raises(SecretMissing):
        action_server_token({"ACTION_SERVER_TOKEN": "short"})


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        (f"Bearer {SECRET}", True),
        (f"bearer {SECRET}", True),
        (None, False),
        ("", False),
        (SECRET, False),
        (f"Basic {SECRET}", False),
        (f"Bearer {SECRET[:-1]}", False),
        (f"Bearer {SECRET}x", False),
    ],
)
def test_bearer_header(header, ok):
    assert bearer_matches(header, SECRET) is ok


def test_the_real_endpoints_yml_sends_the_secret_as_a_header(monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_TOKEN", SECRET)
    endpoint = read_endpoint_config(str(REPO_ROOT / "endpoints.yml"), "action_endpoint")
    assert endpoint.headers == {"Authorization": f"Bearer {SECRET}"}
    assert endpoint.token is None  # never as ?token= (it would end up in access logs)
