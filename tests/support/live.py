"""Starts the real action server and Rasa server for end-to-end tests, and talks to them."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.paths import REPO_ROOT
from bot.tools.bench_servers import wait_ready

MODEL = REPO_ROOT / "models" / "trust-repair.tar.gz"
VENV_BIN = Path(sys.executable).parent


@cache
def response_patterns(response: str) -> tuple[re.Pattern, ...]:
    domain = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
    variants = domain["responses"][response]
    return tuple(
        re.compile(
            ".*?".join(re.escape(part) for part in re.split(r"\{\w+\}", variant["text"])),
            re.DOTALL,
        )
        for variant in variants
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 180) -> None:
    wait_ready(url, [process], seconds)


@dataclass
class LiveServers:
    workdir: Path
    database_url: str
    credentials: Path = REPO_ROOT / "credentials.yml"
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    action_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # A database URL for the conversations (default: SQLite in workdir), and extra
    # environment for both servers.
    tracker_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def tracker_db(self) -> Path:
        return self.workdir / "tracker.db"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "ACTION_SERVER_TOKEN": self.action_token,
            "SANIC_REQUEST_MAX_SIZE": "1048576",  # as bot/scripts/lib.sh sets it
            "TRACKER_DATABASE_URL": self.tracker_url or f"sqlite:///{self.tracker_db}",
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONWARNINGS": "ignore",
            **self.extra_env,
        }

    def _log(self, name: str):
        return open(self.workdir / f"{name}.log", "ab")

    @property
    def action_health_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}/health"

    def spawn_action_server(self) -> subprocess.Popen:
        process = subprocess.Popen(
            [str(VENV_BIN / "python"), "-m", "bot.action_server", "--port", str(self.action_port)],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=self._log("actions"),
            stderr=subprocess.STDOUT,
        )
        self.processes["actions"] = process
        return process

    def start_action_server(self) -> None:
        wait_for(self.action_health_url, self.spawn_action_server())

    def stop_action_server(self) -> None:
        process = self.processes.pop("actions")
        process.terminate()
        process.wait(timeout=30)

    def start(self) -> None:
        if not MODEL.exists():
            raise RuntimeError(f"{MODEL} is missing: run `make train` first")
        endpoints = self.workdir / "endpoints.yml"
        endpoints.write_text(
            f"action_endpoint:\n  url: http://127.0.0.1:{self.action_port}/webhook\n"
            "  headers:\n    Authorization: Bearer ${ACTION_SERVER_TOKEN}\n"
            "  enable_selective_domain: true\n"
            f"tracker_store:\n  type: bot.tracker_store.ForgettingSQLTrackerStore\n"
            + (
                f"  url: {self.tracker_url}\n"
                if self.tracker_url
                else f"  dialect: sqlite\n  db: {self.tracker_db}\n"
            )
        )
        # Both at once: the action server is ready long before Rasa has loaded its model.
        actions = self.spawn_action_server()
        self.start_rasa()
        wait_for(self.action_health_url, actions)

    def start_rasa(self) -> None:
        process = subprocess.Popen(
            [
                str(VENV_BIN / "python"),
                "-m",
                "bot.rasa_cli",  # rasa with bot/speedups.py, as `make run` starts it
                "run",
                "--model",
                str(MODEL),
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.rasa_port),
                "--endpoints",
                str(self.workdir / "endpoints.yml"),
                "--credentials",
                str(self.credentials),
            ],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=self._log("rasa"),
            stderr=subprocess.STDOUT,
        )
        self.processes["rasa"] = process
        wait_for(f"http://127.0.0.1:{self.rasa_port}/", process)

    def kill_rasa(self) -> None:
        """Stops the Rasa server the hard way, as a crash or an OOM kill would."""
        process = self.processes.pop("rasa")
        process.kill()
        process.wait(timeout=30)

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    @classmethod
    @contextmanager
    def running(cls, workdir: Path, **options: Any) -> Iterator[LiveServers]:
        """Both servers on a fresh SQLite app database in `workdir`, stopped afterwards."""
        servers = cls(workdir, database_url=f"sqlite:///{workdir / 'app.db'}", **options)
        servers.start()
        try:
            yield servers
        finally:
            servers.stop()

    def chat(self, sender: str) -> Chat:
        return Chat(f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook", sender)


@dataclass
class Chat:
    """One person talking over the REST channel; keeps what the bot said."""

    url: str
    sender: str
    last: list[dict] = field(default_factory=list)

    def say(self, message: str) -> list[dict]:
        body = json.dumps({"sender": self.sender, "message": message}).encode()
        request = urllib.request.Request(
            self.url, data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as reply:
            self.last = json.load(reply)
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(message.get("text", "") for message in self.last)

    def buttons(self) -> list[dict[str, str]]:
        return [button for message in self.last for button in message.get("buttons") or []]

    def said(self, response: str) -> bool:
        """True when the last reply holds any variant of a domain response (variants are
        picked at random, so a test names the response, not one wording)."""
        return any(pattern.search(self.text) for pattern in response_patterns(response))

    def press(self, title: str) -> list[dict]:
        button = next((b for b in self.buttons() if b["title"] == title), None)
        if button is None:
            raise AssertionError(f"no button {title!r} in {[b['title'] for b in self.buttons()]}")
        return self.say(button["payload"])
