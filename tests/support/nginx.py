"""Runs docs/deploy/nginx/trust-repair.conf in a real nginx of the test's own: a temp
prefix, free ports, a self-signed certificate; the machine's nginx service is untouched.

The deployment file is used as written; only addresses, ports and paths are swapped.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from bot.paths import REPO_ROOT
from tests.support.live import free_port

DEPLOY = REPO_ROOT / "docs" / "deploy" / "nginx"


class ThrowawayNginx:
    def __init__(self, rasa_port: int) -> None:
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.rasa_port = rasa_port
        self.http_port = free_port()
        self.https_port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="throwaway-nginx-"))
        os.chmod(self.root, 0o755)  # nginx workers (another account) use temp folders here
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def _site(self) -> str:
        site = (DEPLOY / "trust-repair.conf").read_text()
        swaps = {
            "server 127.0.0.1:5005;": f"server 127.0.0.1:{self.rasa_port};",
            "listen [::]:80;": "",
            "listen [::]:443 ssl http2;": "",
            "listen 80;": f"listen 127.0.0.1:{self.http_port};",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{self.https_port} ssl http2;",
            "/etc/letsencrypt/live/chat.example.org/fullchain.pem": str(self.root / "cert.pem"),
            "/etc/letsencrypt/live/chat.example.org/privkey.pem": str(self.root / "key.pem"),
            "/var/log/nginx/trust-repair.access.log": str(self.root / "access.log"),
            "conf.d/trust-repair-locations.inc": str(DEPLOY / "trust-repair-locations.inc"),
        }
        for old, new in swaps.items():
            if old not in site:
                raise AssertionError(f"{old!r} is no longer in trust-repair.conf")
            site = site.replace(old, new)
        return site

    def _write_config(self) -> Path:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-keyout", str(self.root / "key.pem"),
             "-out", str(self.root / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
        (self.root / "site.conf").write_text(self._site())
        config = self.root / "nginx.conf"
        config.write_text(
            f"pid {self.root}/nginx.pid;\nerror_log {self.root}/error.log;\n"
            "worker_processes 1;\nevents {}\nhttp {\n"
            f"  access_log {self.root}/default-access.log;\n"
            + "".join(
                f"  {kind}_temp_path {self.root}/{kind};\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + f"  include {self.root}/site.conf;\n}}\n"
        )
        return config

    def check(self) -> subprocess.CompletedProcess:
        """`nginx -t` on the configuration."""
        config = self._write_config()
        return subprocess.run(
            [self.binary, "-t", "-p", str(self.root), "-c", str(config)],
            capture_output=True,
            text=True,
        )

    def __enter__(self) -> ThrowawayNginx:
        config = self._write_config()
        self.process = subprocess.Popen(
            [self.binary, "-p", str(self.root), "-c", str(config), "-g", "daemon off;"],
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"nginx did not start: {self.process.stderr.read()}"
                    ) from None
                time.sleep(0.1)

    def __exit__(self, *_) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
        shutil.rmtree(self.root, ignore_errors=True)
