"""Helpers for the web channel and widget tests: real servers with the widget channel, and a
page object that drives the widget in Debian's Chromium like a person would."""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from tests.live import MODEL, REPO_ROOT, VENV_BIN, LiveServers, wait_for

# Set WIDGET_TEST_CHANNEL=socketio to run the channel tests against Rasa's stock connector
# and watch them fail (replies are lost with session persistence: RasaHQ/rasa#13027).
CHANNEL = os.environ.get("WIDGET_TEST_CHANNEL", "bot.channels.socketio.WidgetSocketIOInput")
ALLOWED_ORIGIN = "https://allowed.example"
MAX_MESSAGE_LENGTH = 2000
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDGET_DIST = REPO_ROOT / "bot" / "widget" / "dist"
ARTIFACTS = REPO_ROOT / "test-artifacts"


@dataclass
class WidgetServers(LiveServers):
    """LiveServers with the socket.io channel configured by the test, not by credentials.yml."""

    def write_credentials(self) -> Path:
        path = self.workdir / "credentials.yml"
        path.write_text(
            "rest:\n"
            f"{CHANNEL}:\n"
            "  session_persistence: true\n"
            f"  allowed_origins: [\"{ALLOWED_ORIGIN}\"]\n"
            f"  max_message_length: {MAX_MESSAGE_LENGTH}\n")
        return path

    def start(self) -> None:
        if not MODEL.exists():
            raise RuntimeError(f"{MODEL} is missing: run `make train` first")
        endpoints = self.workdir / "endpoints.yml"
        endpoints.write_text(
            f"action_endpoint:\n  url: http://127.0.0.1:{self.action_port}/webhook\n"
            f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {self.workdir / 'tracker.db'}\n")
        self.start_action_server()
        process = subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "--model", str(MODEL), "--interface", "127.0.0.1",
             "--port", str(self.rasa_port), "--endpoints", str(endpoints),
             "--credentials", str(self.write_credentials())],
            cwd=REPO_ROOT, env=self.env, stdout=self._log("rasa"), stderr=subprocess.STDOUT)
        self.processes["rasa"] = process
        wait_for(f"{self.url}/", process)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def demo_url(self) -> str:
        return f"{self.url}/widget/"


def missing_build() -> Optional[str]:
    """Why the widget cannot be tested (None when its built files are there)."""
    if not (WIDGET_DIST / "widget.js").is_file():
        return "the widget is not built: run `npm ci && npm run build` (make widget)"
    return None


class WidgetPage:
    """The demo page with the widget on it, seen and used as a person would (Playwright, sync API)."""

    def __init__(self, page) -> None:
        self.page = page

    @property
    def log(self):
        return self.page.get_by_role("log", name="Conversation")

    @property
    def input(self):
        return self.page.get_by_role("textbox", name="Your message")

    def open(self) -> None:
        self.page.get_by_role("button", name="Open chat").click()
        self.input.wait_for()

    def bot_bubbles(self):
        return self.log.locator(".tr-msg--bot .tr-text")

    def user_bubbles(self):
        return self.log.locator(".tr-msg--user .tr-text")

    def wait_for_bot(self, text: str, timeout: float = 30_000) -> None:
        self.bot_bubbles().filter(has_text=text).first.wait_for(timeout=timeout)

    def send(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def press(self, title: str) -> None:
        self.log.get_by_role("button", name=title, exact=True).last.click()

    def texts(self) -> List[str]:
        return self.log.locator(".tr-text").all_inner_texts()
