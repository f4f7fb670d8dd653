"""Speed and memory of the chosen NLU pipeline, side by side with the light and DIET ones.

    # trains each NLU model from an empty cache, then measures
    python -m bot.tools.benchmark [--configs ...]

For each config: NLU training time, model load time, resident memory after loading
(each model measured in its own process so one does not inflate the other), and the
latency of parsing messages one at a time (median and 95th percentile). Prints figures;
never asserts on them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.paths import REPO_ROOT
from bot.tools.rasa_run import rasa_env, timed_nlu_training

BASELINES = ["bot/tools/configs/sparse.yml", "bot/tools/configs/diet.yml"]
SAMPLE = [
    "i found texts from another woman on his phone",
    "i keep checking her location twenty times a day",
    "we were doing well and then it blew up again",
    "should we see a couples therapist",
    "how do i apologise so it feels sincere",
    "can we set up a weekly talk",
    "hi",
    "what can you help with",
]


def measure_in_child(model: Path, rounds: int) -> dict[str, float]:
    """Runs `--measure` in a fresh interpreter and returns its JSON figures."""
    output = subprocess.run(
        [sys.executable, "-m", "bot.tools.benchmark", "--measure", str(model)]
        + ["--rounds", str(rounds)],
        cwd=REPO_ROOT,
        env=rasa_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(model: str, rounds: int) -> dict[str, float]:
    import asyncio
    import logging
    import resource

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    started = time.perf_counter()
    agent = Agent.load(model)
    load_seconds = time.perf_counter() - started
    loop = asyncio.new_event_loop()
    loop.run_until_complete(agent.parse_message("warm up"))
    timings: list[float] = []
    for _ in range(rounds):
        for text in SAMPLE:
            started = time.perf_counter()
            loop.run_until_complete(agent.parse_message(text))
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "load_s": load_seconds,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--configs", nargs="+", default=["config.yml", *BASELINES])
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.rounds)))
        return 0
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for index, config in enumerate(args.configs):
            out = Path(tmp) / str(index)
            seconds = timed_nlu_training(config, out)
            results[config] = {
                "train_s": seconds,
                **measure_in_child(out / "nlu.tar.gz", args.rounds),
            }
    labels = [
        ("NLU training (s)", "train_s", "{:.1f}"),
        ("model load (s)", "load_s", "{:.1f}"),
        ("peak memory (MB)", "rss_mb", "{:.0f}"),
        ("parse p50 (ms)", "p50_ms", "{:.1f}"),
        ("parse p95 (ms)", "p95_ms", "{:.1f}"),
    ]
    print(f"{'':<20}" + "".join(f"{Path(c).name:>14}" for c in args.configs))
    for label, key, fmt in labels:
        print(f"{label:<20}" + "".join(f"{fmt.format(results[c][key]):>14}" for c in args.configs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
