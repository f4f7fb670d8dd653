"""`make scale-up` / `make scale-down`: the assistant on two Rasa instances behind nginx.

    python -m bot.scale up      # starts everything, returns when it answers
    python -m bot.scale down    # stops what `up` started (by the process ids it recorded)
    python -m bot.scale status

Uses servers that already run: PostgreSQL (`DATABASE_URL`, for the tracker store and the
app tables) and Redis (`REDIS_URL`, for the lock store, bot/lock_store.py). Starts two
action servers, two Rasa instances (each calling its own action server) and nginx
(Debian's package; deploy/nginx.conf) with, publicly, only the Telegram webhook and the
widget, and REST on a 127.0.0.1-only port for tools and tests. Ports and paths come from
the environment (`SCALE_*`, below); everything it writes is under var/scale/.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from bot.paths import REPO_ROOT
from bot.shared_secret import ACTION_TOKEN_ENV, action_server_token

VENV_BIN = Path(sys.executable).parent
MODEL = REPO_ROOT / "models" / "trust-repair.tar.gz"


@dataclass(frozen=True)
class Layout:
    run_dir: Path
    database_url: str
    redis_url: str
    host: str
    public_port: int
    internal_port: int
    rasa_ports: tuple[int, int]
    action_ports: tuple[int, int]
    lock_lifetime: int

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Layout:
        env = dict(os.environ if env is None else env)
        if not env.get("DATABASE_URL", "").startswith("postgresql"):
            raise SystemExit("scale-up needs DATABASE_URL=postgresql://user@host:5432/db")
        ports = [int(p) for p in env.get("SCALE_PORTS", "8080 8081 5006 5007 5056 5057").split()]
        return cls(
            run_dir=Path(env.get("SCALE_RUN_DIR", REPO_ROOT / "var" / "scale")),
            database_url=env["DATABASE_URL"],
            redis_url=env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            host=env.get("SCALE_HOST", "127.0.0.1"),
            public_port=ports[0],
            internal_port=ports[1],
            rasa_ports=(ports[2], ports[3]),
            action_ports=(ports[4], ports[5]),
            # A killed instance holds its conversation's turn at most this long.
            lock_lifetime=int(env.get("TICKET_LOCK_LIFETIME", "20")),
        )

    @property
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self.internal_port}/webhooks/rest/webhook"


def endpoints_yml(layout: Layout, action_port: int) -> str:
    redis = urllib.parse.urlparse(layout.redis_url)
    return (
        f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n"
        # The action servers refuse calls without the shared secret (README "Security").
        "  headers:\n    Authorization: Bearer ${ACTION_SERVER_TOKEN}\n"
        "  enable_selective_domain: true\n"
        "tracker_store:\n  type: bot.tracker_store.ForgettingSQLTrackerStore\n"
        f"  url: {layout.database_url}\n"
        "lock_store:\n  type: bot.lock_store.AtomicRedisLockStore\n"
        f"  url: {redis.hostname or '127.0.0.1'}\n  port: {redis.port or 6379}\n"
        f"  db: {(redis.path or '/0').strip('/') or 0}\n  key_prefix: trust\n"
    )


def nginx_conf(layout: Layout) -> str:
    text = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    for name, value in {
        "@RUN@": str(layout.run_dir),
        "@HOST@": layout.host,
        "@PUBLIC@": str(layout.public_port),
        "@INTERNAL@": str(layout.internal_port),
        "@RASA1@": str(layout.rasa_ports[0]),
        "@RASA2@": str(layout.rasa_ports[1]),
    }.items():
        text = text.replace(name, value)
    return text


def wait_until(url: str, process: subprocess.Popen, seconds: float = 240) -> None:
    """Until `url` answers at all (an HTTP error status is an answer)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[:4]} exited; see {url} logs under var/scale/")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds} s")


class Stack:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.pid_file = layout.run_dir / "pids.json"

    def _spawn(self, name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.layout.run_dir / f"{name}.log").open("ab")
        # Own session: `make scale-up` returns while these keep running.
        return subprocess.Popen(
            cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def pids(self) -> dict[str, int]:
        return json.loads(self.pid_file.read_text()) if self.pid_file.exists() else {}

    def up(self) -> None:
        if self.pids():
            raise SystemExit("already up (make scale-down first)")
        if not MODEL.exists():
            raise SystemExit(f"{MODEL} is missing: run `make train` first")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise SystemExit("nginx not found: apt-get install nginx-light")
        layout = self.layout
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (layout.run_dir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": layout.database_url,
            "TICKET_LOCK_LIFETIME": str(layout.lock_lifetime),
            ACTION_TOKEN_ENV: action_server_token(),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONWARNINGS": "ignore",
        }
        started: dict[str, int] = {}
        processes = []
        try:
            for index, (rasa_port, action_port) in enumerate(
                zip(layout.rasa_ports, layout.action_ports, strict=True), start=1
            ):
                actions = [str(VENV_BIN / "python"), "-m", "bot.action_server"]
                process = self._spawn(
                    f"actions{index}", [*actions, "--port", str(action_port)], env
                )
                started[f"actions{index}"] = process.pid
                processes.append((process, f"http://127.0.0.1:{action_port}/health"))
                endpoints = layout.run_dir / f"endpoints{index}.yml"
                endpoints.write_text(endpoints_yml(layout, action_port))
                rasa = [str(VENV_BIN / "python"), "-m", "bot.rasa_cli", "run"]
                rasa += ["--model", str(MODEL), "--interface", "127.0.0.1"]
                rasa += ["--port", str(rasa_port), "--endpoints", str(endpoints)]
                rasa += ["--credentials", str(REPO_ROOT / "credentials.yml")]
                process = self._spawn(f"rasa{index}", rasa, env)
                started[f"rasa{index}"] = process.pid
                processes.append((process, f"http://127.0.0.1:{rasa_port}/"))
                self.pid_file.write_text(json.dumps(started))
            for process, url in processes:
                wait_until(url, process)
            conf = layout.run_dir / "nginx.conf"
            conf.write_text(nginx_conf(layout))
            cmd = [nginx, "-c", str(conf), "-p", str(layout.run_dir), "-g", "daemon off;"]
            process = self._spawn("nginx", cmd, env)
            started["nginx"] = process.pid
            self.pid_file.write_text(json.dumps(started))
            wait_until(f"http://127.0.0.1:{layout.internal_port}/", process)
        except BaseException:
            self.down()
            raise
        print(f"up: public http://{layout.host}:{layout.public_port} (Telegram webhook, widget)")
        print(f"    REST (this machine only) {layout.rest_url}")

    def down(self) -> None:
        pids = self.pids()
        for pid in pids.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for pid in pids.values():
            while time.monotonic() < deadline and _alive(pid):
                time.sleep(0.2)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)

    def kill(self, name: str) -> None:
        """Kills one process at once, as a crash would (for the scale-out test), and returns
        once it is gone: until then the kernel still accepts connections for it, and what
        nginx sends there is lost with it."""
        pid = self.pids()[name]
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.01)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child of this process that exited stays a zombie until reaped.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    args = parser.parse_args(argv)
    stack = Stack(Layout.from_env())
    stack.layout.run_dir.mkdir(parents=True, exist_ok=True)
    if args.command == "up":
        stack.up()
    elif args.command == "down":
        stack.down()
    else:
        for name, pid in stack.pids().items():
            print(f"{name:10} {pid:>8} {'running' if _alive(pid) else 'stopped'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
