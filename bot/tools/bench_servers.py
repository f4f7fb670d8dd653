"""Starts the bots `make bench` compares, each in its own processes, and reads their memory.

The stock bot is what `rasa init --no-prompt` creates and trains, kept under build/stock so
later runs reuse it. The project runs as `make run` runs it (bot/scripts/run.sh), on a
fresh tracker store and app database in a temporary directory.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot.paths import REPO_ROOT
from bot.tools.rasa_run import rasa_env

VENV_BIN = Path(sys.executable).parent
STOCK_DIR = REPO_ROOT / "build" / "stock"
PROJECT_MODEL = REPO_ROOT / "models" / "trust-repair.tar.gz"


def stock_model() -> Path:
    """The trained `rasa init` model, created and trained the first time (about 2 minutes)."""
    models = sorted((STOCK_DIR / "models").glob("*.tar.gz"))
    if models:
        return models[-1]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", tmp],
            cwd=tmp,
            env=rasa_env(),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if STOCK_DIR.exists():
            shutil.rmtree(STOCK_DIR)
        shutil.copytree(tmp, STOCK_DIR)
    return sorted((STOCK_DIR / "models").glob("*.tar.gz"))[-1]


def wait_ready(url: str, processes: list[subprocess.Popen], seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args[:3]} exited before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


def tree_pids(pid: int) -> list[int]:
    """`pid` and its descendants (Sanic and TensorFlow may fork helpers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_mb(pids: list[int]) -> float:
    total_kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Bot:
    name: str
    url: str
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def pids(self, role: str | None = None) -> list[int]:
        return [
            pid
            for name, process in self.processes.items()
            if role is None or name == role
            for pid in tree_pids(process.pid)
        ]

    def rss_mb(self) -> float:
        return rss_mb(self.pids())

    def cpu_seconds(self, role: str | None = None) -> float:
        return cpu_seconds(self.pids(role))


def _start(cmd: list[str], cwd: Path, log: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        process.terminate()
    for process in processes.values():
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def rasa_command(
    model: Path, port: int, endpoints: Path, credentials: Path, unpatched: bool = False
) -> list[str]:
    # The project's launcher (bot/rasa_cli.py) is `rasa` plus this project's speed-ups;
    # `unpatched` starts plain `rasa` to measure what they save.
    launcher = [str(VENV_BIN / "python"), "-m", "bot.rasa_cli"]
    return [
        *([str(VENV_BIN / "rasa")] if unpatched else launcher),
        "run",
        "--model",
        str(model),
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
    ]


@contextmanager
def stock_bot(port: int):
    model = stock_model()
    with tempfile.TemporaryDirectory() as tmp:
        credentials = Path(tmp) / "credentials.yml"
        credentials.write_text("rest:\n")
        cmd = [str(VENV_BIN / "rasa"), "run", "--model", str(model), "--interface"]
        cmd += ["127.0.0.1", "--port", str(port), "--credentials", str(credentials)]
        bot = Bot("stock", f"http://127.0.0.1:{port}/webhooks/rest/webhook")
        bot.processes["rasa"] = _start(cmd, Path(tmp), Path(tmp) / "rasa.log", rasa_env())
        try:
            wait_ready(f"http://127.0.0.1:{port}/", list(bot.processes.values()))
            yield bot
        finally:
            _stop(bot.processes)


def project_workspace(work: Path, action_port: int) -> tuple[dict[str, str], Path]:
    """The environment and endpoints file of the project's servers for a run in `work`: a
    fresh app database and tracker store, and a fresh secret both servers share (as `make
    run` shares var/action_server.secret)."""
    env = rasa_env(
        DATABASE_URL=f"sqlite:///{work / 'app.db'}",
        ACTION_SERVER_TOKEN=secrets.token_urlsafe(32),
    )
    endpoints = work / "endpoints.yml"
    endpoints.write_text(
        (REPO_ROOT / "endpoints.yml")
        .read_text()
        .replace("127.0.0.1:5055", f"127.0.0.1:{action_port}")
        .replace("var/rasa_tracker.db", str(work / "tracker.db"))
    )
    return env, endpoints


@contextmanager
def project_bot(rasa_port: int, action_port: int, unpatched: bool = False):
    if not PROJECT_MODEL.exists():
        raise RuntimeError(f"{PROJECT_MODEL} is missing: run `make train` first")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env, endpoints = project_workspace(work, action_port)
        bot = Bot("project", f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook")
        actions = [str(VENV_BIN / "python"), "-m", "bot.action_server", "--port", str(action_port)]
        bot.processes["actions"] = _start(actions, REPO_ROOT, work / "actions.log", env)
        wait_ready(f"http://127.0.0.1:{action_port}/health", list(bot.processes.values()))
        credentials = work / "credentials.yml"
        credentials.write_text("rest:\n")
        command = rasa_command(PROJECT_MODEL, rasa_port, endpoints, credentials, unpatched)
        bot.processes["rasa"] = _start(command, REPO_ROOT, work / "rasa.log", env)
        try:
            wait_ready(f"http://127.0.0.1:{rasa_port}/", list(bot.processes.values()))
            yield bot
        finally:
            _stop(bot.processes)
