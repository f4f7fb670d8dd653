"""Cross-validated intent F1 per theme (5 folds), and a comparison of NLU pipelines.

    python -m bot.tools.nlu_report --config config.yml [--seeds 1 2 3]
    python -m bot.tools.nlu_report --compare config.yml bot/tools/configs/sparse.yml \
        bot/tools/configs/diet.yml

Runs `rasa test nlu --cross-validation` for each config (once per fold seed), then prints
the F1 of each of the 15 theme intents, their macro average (the figure the README
reports), the lowest theme, and how long cross-validation and one full NLU training took.
With several seeds the figures are means over the runs, and the worst run is shown too.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from actions.themes import THEME_INTENTS
from bot.paths import REPO_ROOT
from bot.tools.rasa_run import run_rasa, timed_nlu_training

THEMES = THEME_INTENTS
MACRO_TARGET, THEME_FLOOR = 0.92, 0.85


def cross_validate(config: str, folds: int, out: Path, seed: int) -> dict[str, object]:
    started = time.perf_counter()
    run_rasa(
        "test",
        "nlu",
        "--nlu",
        "data/nlu",
        "--config",
        config,
        "--cross-validation",
        "--folds",
        str(folds),
        "--out",
        str(out),
        "--no-plot",
        "--no-errors",
        seed=seed,
    )
    cv_seconds = time.perf_counter() - started
    report = json.loads((out / "intent_report.json").read_text())
    f1 = {theme: report[theme]["f1-score"] for theme in THEMES}
    return {
        "f1": f1,
        "cv_seconds": cv_seconds,
        "all_intents_macro": report["macro avg"]["f1-score"],
    }


def training_seconds(config: str) -> float:
    with tempfile.TemporaryDirectory() as models:
        return timed_nlu_training(config, Path(models))


def summarise(runs: list[dict[str, object]]) -> dict[str, object]:
    """Mean figures over the runs (one per fold seed), and the worst single run."""
    f1 = {theme: statistics.mean(run["f1"][theme] for run in runs) for theme in THEMES}
    macros = [statistics.mean(run["f1"].values()) for run in runs]
    return {
        "f1": f1,
        "macro": statistics.mean(f1.values()),
        "lowest": min(f1.values()),
        "worst_macro": min(macros),
        "worst_theme": min(min(run["f1"].values()) for run in runs),
        "all_intents_macro": statistics.mean(run["all_intents_macro"] for run in runs),
        "cv_seconds": statistics.mean(run["cv_seconds"] for run in runs),
    }


def meets_target(summary: dict[str, object]) -> bool:
    return summary["macro"] >= MACRO_TARGET and summary["lowest"] >= THEME_FLOOR


def print_table(results: dict[str, dict[str, object]]) -> None:
    names = list(results)
    print(f"{'theme intent':<26}" + "".join(f"{Path(n).name:>16}" for n in names))
    for theme in THEMES:
        print(f"{theme:<26}" + "".join(f"{results[n]['f1'][theme]:>16.3f}" for n in names))
    rows = [
        ("macro-F1, 15 themes", "macro", "{:>16.3f}"),
        ("lowest theme F1", "lowest", "{:>16.3f}"),
        ("worst run: macro-F1", "worst_macro", "{:>16.3f}"),
        ("worst run: lowest theme", "worst_theme", "{:>16.3f}"),
        ("macro-F1, all intents", "all_intents_macro", "{:>16.3f}"),
        ("CV wall time per run (s)", "cv_seconds", "{:>16.0f}"),
        ("NLU training (s)", "train_seconds", "{:>16.1f}"),
    ]
    for label, key, fmt in rows:
        print(f"{label:<26}" + "".join(fmt.format(results[n][key]) for n in names))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", action="append", default=[], help="config to cross-validate")
    parser.add_argument("--compare", nargs="+", default=[], help="several configs side by side")
    parser.add_argument("--folds", type=int, default=5)
    # Seed 1 by default: the split the README's DIET comparison used.
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[1], help="one cross-validation per fold seed"
    )
    parser.add_argument("--out", default="results/cross-validation")
    args = parser.parse_args(argv)
    configs = args.config + args.compare or ["config.yml"]
    results = {}
    for config in configs:
        runs = []
        for seed in args.seeds:
            out = REPO_ROOT / args.out / Path(config).stem / f"seed-{seed}"
            print(
                f"cross-validating {config} ({args.folds} folds, fold seed {seed}) ...", flush=True
            )
            runs.append(cross_validate(config, args.folds, out, seed))
        results[config] = {**summarise(runs), "train_seconds": training_seconds(config)}
    print_table(results)
    print(
        f"target for {configs[0]}: macro-F1 >= {MACRO_TARGET}, every theme >= {THEME_FLOOR}:",
        "met" if meets_target(results[configs[0]]) else "NOT met",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
