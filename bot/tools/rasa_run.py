"""Runs the `rasa` command line for the measurement scripts (NLU report, benchmark)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.paths import REPO_ROOT

# Rasa shuffles cross-validation folds with NumPy's global generator and no seed, so two
# runs split the data differently; seeding it first makes a run repeatable.
SEEDED_RASA = (
    "import sys, numpy; numpy.random.seed(int(sys.argv[1])); sys.argv = ['rasa', *sys.argv[2:]]; "
    "from rasa.__main__ import main; main()"
)


def rasa_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONWARNINGS": "ignore",
        **extra,
    }


def run_rasa(*args: str, seed: int = 0, **env: str) -> None:
    subprocess.run(
        [sys.executable, "-c", SEEDED_RASA, str(seed), *args],
        cwd=REPO_ROOT,
        env=rasa_env(**env),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def timed_nlu_training(config: str, out: Path) -> float:
    """Seconds `rasa train nlu` takes from scratch: with an empty cache, so components that
    another config (or an earlier run) already trained are not reused."""
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        run_rasa(
            "train",
            "nlu",
            "--config",
            config,
            "--nlu",
            "data/nlu",
            "--out",
            str(out),
            "--fixed-model-name",
            "nlu",
            RASA_CACHE_DIRECTORY=cache,
        )
        return time.perf_counter() - started
