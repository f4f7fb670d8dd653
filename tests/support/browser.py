"""Helpers for the web channel and widget tests: real servers with the widget channel, and a
page object that drives the widget in Debian's Chromium like a person would."""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.support.live import REPO_ROOT, LiveServers, free_port

# Set WIDGET_TEST_CHANNEL=socketio to run the channel tests against Rasa's stock connector
# and watch them fail (replies are lost with session persistence: RasaHQ/rasa#13027).
CHANNEL = os.environ.get("WIDGET_TEST_CHANNEL", "bot.channels.socketio.WidgetSocketIOInput")
ALLOWED_ORIGIN = "https://allowed.example"
MAX_MESSAGE_LENGTH = 2000
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDGET_DIR = REPO_ROOT / "bot" / "widget"
WIDGET_DIST = WIDGET_DIR / "dist"
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"  # devDependency axe-core
ARTIFACTS = REPO_ROOT / "test-artifacts"
STORAGE_KEY = "trust-repair-widget"
EXIT_URL = "https://www.google.com/search?q=weather"  # the widget's default neutral site
NEUTRAL_PAGE = "<!doctype html><title>Weather</title><p>Sunny, 21 degrees.</p>"


@dataclass
class WidgetServers(LiveServers):
    """LiveServers with the socket.io channel configured by the test, not by credentials.yml."""

    operator_port: int = field(default_factory=free_port)  # an allowed operator site (OperatorSite)
    channel_options: dict[str, Any] = field(default_factory=dict)  # more credentials.yml keys

    def options(self):
        return self.channel_options.items()

    def write_credentials(self) -> Path:
        path = self.workdir / "credentials.yml"
        path.write_text(
            "rest:\n"
            f"{CHANNEL}:\n"
            "  session_persistence: true\n"
            f'  allowed_origins: ["{ALLOWED_ORIGIN}", "{self.operator_origin}"]\n'
            f"  max_message_length: {MAX_MESSAGE_LENGTH}\n"
            + "".join(f"  {key}: {json.dumps(value)}\n" for key, value in self.options())
        )
        return path

    def start(self) -> None:
        self.credentials = self.write_credentials()
        super().start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def demo_url(self) -> str:
        return f"{self.url}/widget/"

    @property
    def operator_origin(self) -> str:
        return OperatorSite.origin(self.operator_port)


def missing_build() -> str | None:
    """Why the widget cannot be tested (None when its built files are there)."""
    if not (WIDGET_DIST / "widget.js").is_file():
        return "the widget is not built: run `npm ci && npm run build` (make widget)"
    return None


class OperatorSite:
    """An operator's website on another origin, embedding the widget with one script tag.

    A real local server: Chromium refuses to let a page that Playwright made up reach a
    loopback server (local network access), so the page must come from loopback itself."""

    def __init__(self, port: int, widget_server: str, **data: str) -> None:
        attributes = " ".join(
            f'data-{name.replace("_", "-")}="{value}"' for name, value in data.items()
        )
        body = (
            "<!doctype html><html lang=en><title>Our practice</title>"
            "<p>Welcome to our practice.</p>"
            f'<script src="{widget_server}/widget/static/widget.js" {attributes}></script>'
        ).encode()

        class Page(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.url = f"{self.origin(port)}/"
        self._server = ThreadingHTTPServer(("127.0.0.1", port), Page)

    @staticmethod
    def origin(port: int) -> str:
        return f"http://localhost:{port}"  # localhost, so never the widget server's own origin

    def __enter__(self) -> OperatorSite:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()


class WidgetPage:
    """The demo page with the widget on it, seen and used as a person would (Playwright, sync API).

    The neutral site "Leave quickly" goes to is answered locally (no network here), and any
    dialog (alert(), ...) is recorded and dismissed: a test asserts there were none."""

    def __init__(self, page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)
        page.context.route(
            re.compile(r"^https://www\.google\.com/"),
            lambda route: route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE),
        )

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    @property
    def log(self):
        return self.page.get_by_role("log", name="Conversation")

    @property
    def input(self):
        return self.page.get_by_role("textbox", name="Your message")

    @property
    def launcher(self):
        return self.page.get_by_role("button", name="Open chat")

    @property
    def status(self):
        return self.page.locator("#trust-repair-widget").locator(".tr-status")

    def open(self) -> None:
        self.launcher.click()
        self.input.wait_for()

    def bot_bubbles(self):
        return self.log.locator(".tr-msg--bot .tr-text")

    def user_bubbles(self):
        return self.log.locator(".tr-msg--user .tr-text")

    def wait_for_bot(self, text: str, timeout: float = 30_000) -> None:
        self.bot_bubbles().filter(has_text=text).last.wait_for(timeout=timeout)

    def send(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def press(self, title: str) -> None:
        self.log.get_by_role("button", name=title, exact=True).last.click()

    def texts(self) -> list[str]:
        return self.log.locator(".tr-text").all_inner_texts()

    def stored(self) -> dict[str, dict[str, Any]]:
        """Everything in both storage areas, by area and key (values parsed as JSON)."""
        raw = self.page.evaluate("""() => Object.fromEntries(["sessionStorage", "localStorage"].map(
            (area) => [area, Object.fromEntries(Object.entries(window[area]))]))""")
        return {
            area: {key: json.loads(value) for key, value in items.items()}
            for area, items in raw.items()
        }

    def axe(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the page, the widget's shadow DOM
        included (the page's CSP is bypassed by the context to inject it)."""
        self.page.add_script_tag(path=str(AXE))
        return self.page.evaluate("""async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => ({id: v.id, impact: v.impact,
                              nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5)}));
        }""")

    def widget_locator(self, selector: str):
        return self.page.locator("#trust-repair-widget").locator(selector)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path))
        return path


class SocketTap:
    """Sits on the page's socket.io websocket (Playwright's WebSocket routing): forwards every
    frame both ways, and lets a test inject a frame from "the server" or cut the connection."""

    def __init__(self, page) -> None:
        self.routes: list[Any] = []
        self.upgraded = 0  # websockets that finished the engine.io upgrade
        self.held = False  # while held, the server cannot be reached at all (offline)
        page.route_web_socket(re.compile(r"/socket\.io/"), self._route)
        page.route(re.compile(r"/socket\.io/"), self._poll)

    def _poll(self, route) -> None:
        if self.held:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    def go_offline(self) -> None:
        self.held = True
        self.cut()

    def go_online(self) -> None:
        self.held = False

    def _route(self, route) -> None:
        if self.held:
            route.close(code=1011, reason="test: offline")
            return
        server = route.connect_to_server()
        self.routes.append(route)

        def from_page(message) -> None:
            if message == "5":  # engine.io UPGRADE: from now on this websocket carries the session
                self.upgraded += 1
            server.send(message)

        route.on_message(from_page)
        server.on_message(route.send)

    def wait_for_upgrade(self, page, count: int = 1, timeout: float = 15_000) -> None:
        deadline = timeout
        while self.upgraded < count and deadline > 0:
            page.wait_for_timeout(100)
            deadline -= 100
        assert self.upgraded >= count, "the widget never upgraded to a websocket"

    def inject_bot_message(self, message: dict[str, Any]) -> None:
        self.routes[-1].send("42" + json.dumps(["bot_uttered", message]))

    def cut(self) -> None:
        self.routes[-1].close(code=1011, reason="test: server went away")
