"""`make shell` beside a running server: the shell talks to that server and gets a reply.

Runs bot/scripts/shell.sh in a pseudo-terminal (the prompt needs one), as a person would.
Before, the shell started a second Rasa server on 5005 and failed with "address already in
use" next to `make run`.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import time

import pytest

from bot.paths import REPO_ROOT
from tests.support.live import LiveServers


class Terminal:
    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        master, slave = pty.openpty()
        self.process = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=REPO_ROOT,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self._master = master
        self.output = b""

    def wait_for(self, text: str, seconds: float = 120) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text.encode() in self.output:
                return self.output.decode(errors="replace")
            ready, _, _ = select.select([self._master], [], [], 0.2)
            if ready:
                try:
                    self.output += os.read(self._master, 65536)
                except OSError:
                    break
        raise AssertionError(f"{text!r} not shown; the terminal showed:\n{self.output[-2000:]!r}")

    def type(self, line: str) -> None:
        os.write(self._master, line.encode() + b"\r")

    def close(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        os.close(self._master)


@pytest.mark.live
def test_the_shell_beside_a_running_server_talks_to_it(tmp_path):
    with LiveServers.running(tmp_path) as servers:
        env = {**servers.env, "TERM": "xterm"}
        command = ["bash", "bot/scripts/shell.sh", str(servers.action_port), str(servers.rasa_port)]
        terminal = Terminal(command, env)
        try:
            shown = terminal.wait_for("Your input", seconds=60)
            assert f"running on port {servers.rasa_port}" in shown
            assert "address already in use" not in shown.lower()
            assert "DeprecationWarning" not in shown
            terminal.type("hi")
            terminal.wait_for("automated self-help assistant", seconds=60)
        finally:
            terminal.close()
