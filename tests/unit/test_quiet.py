"""bot/quiet.py: the dependencies' deprecation warnings are silenced even after Sanic's import
put "once" in front of every filter."""

from __future__ import annotations

import subprocess
import sys

from bot.paths import REPO_ROOT

PROBE = """
import warnings
import sanic.app  # puts filterwarnings("once", DeprecationWarning) in front
from bot.quiet import silence
silence()
warnings.warn("old api", DeprecationWarning)
warnings.warn("ours", RuntimeWarning)
"""


def _stderr(code: str) -> str:
    env = {"PATH": "/usr/bin:/bin"}  # no PYTHONWARNINGS: silence() alone must do it
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    ).stderr


def test_deprecations_are_silenced_and_other_warnings_still_show():
    stderr = _stderr(PROBE)
    assert "old api" not in stderr
    assert "ours" in stderr


def test_without_it_sanic_makes_them_show():
    assert "old api" in _stderr(PROBE.replace("silence()\n", ""))
