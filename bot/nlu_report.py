"""Cross-validated intent F1 per theme (5 folds), and a comparison of NLU pipelines.

    python -m bot.nlu_report --config config.yml
    python -m bot.nlu_report --compare config.yml bot/configs/sparse.yml bot/configs/diet.yml

Runs `rasa test nlu --cross-validation` for each config, then prints the F1 of each of
the 15 theme intents, their macro average (the figure the README reports), the lowest
theme, and how long cross-validation and one full NLU training took.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

from bot.paths import REPO_ROOT

THEMES = (
    "trust_breach", "signs_of_eroded_trust", "commit_together", "honest_communication",
    "forgiveness", "transparency_consistency", "boundaries_rules", "appreciation_respect",
    "regular_check_ins", "apology_past_hurts", "plan_future", "setback", "monitor_progress",
    "long_term_trust", "professional_help",
)
MACRO_TARGET, THEME_FLOOR = 0.92, 0.85


def _rasa(*args: str) -> None:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    subprocess.run([sys.executable, "-m", "rasa", *args], cwd=REPO_ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cross_validate(config: str, folds: int, out: Path) -> Dict[str, object]:
    started = time.perf_counter()
    _rasa("test", "nlu", "--nlu", "data/nlu", "--config", config, "--cross-validation",
          "--folds", str(folds), "--out", str(out), "--no-plot", "--no-errors")
    cv_seconds = time.perf_counter() - started
    report = json.loads((out / "intent_report.json").read_text())
    with tempfile.TemporaryDirectory() as models:
        started = time.perf_counter()
        _rasa("train", "nlu", "--config", config, "--out", models, "--nlu", "data/nlu")
        train_seconds = time.perf_counter() - started
    f1 = {theme: report[theme]["f1-score"] for theme in THEMES}
    return {"f1": f1, "macro": sum(f1.values()) / len(f1), "cv_seconds": cv_seconds,
            "train_seconds": train_seconds, "all_intents_macro": report["macro avg"]["f1-score"]}


def print_table(results: Dict[str, Dict[str, object]]) -> None:
    names = list(results)
    print(f"{'theme intent':<26}" + "".join(f"{Path(n).name:>16}" for n in names))
    for theme in THEMES:
        print(f"{theme:<26}" + "".join(f"{results[n]['f1'][theme]:>16.3f}" for n in names))
    rows = [("macro-F1, 15 themes", "macro", "{:>16.3f}"), ("lowest theme F1", None, "{:>16.3f}"),
            ("macro-F1, all intents", "all_intents_macro", "{:>16.3f}"),
            ("5-fold CV wall time (s)", "cv_seconds", "{:>16.0f}"), ("NLU training (s)", "train_seconds", "{:>16.1f}")]
    for label, key, fmt in rows:
        values = [min(results[n]["f1"].values()) if key is None else results[n][key] for n in names]
        print(f"{label:<26}" + "".join(fmt.format(v) for v in values))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", action="append", default=[], help="config to cross-validate")
    parser.add_argument("--compare", nargs="+", default=[], help="several configs side by side")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", default="results/cross-validation")
    args = parser.parse_args(argv)
    configs = args.config + args.compare or ["config.yml"]
    results = {}
    for config in configs:
        out = REPO_ROOT / args.out / Path(config).stem
        print(f"cross-validating {config} ({args.folds} folds) ...", flush=True)
        results[config] = cross_validate(config, args.folds, out)
    print_table(results)
    first = results[configs[0]]
    ok = first["macro"] >= MACRO_TARGET and min(first["f1"].values()) >= THEME_FLOOR
    print(f"target for {configs[0]}: macro-F1 >= {MACRO_TARGET}, every theme >= {THEME_FLOOR}:",
          "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
