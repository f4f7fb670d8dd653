"""`make bench`: the stock `rasa init` bot and the project under the same load, side by side.

    python -m bot.tools.bench [--seconds 20] [--people 1 20 50] [--only stock|project]

Each bot runs alone in its own processes (the stock bot: one Rasa server; the project:
Rasa plus its action server, fresh tracker store and app database), one after the other,
driven by the same closed-loop load tester (bot/tools/load.py) with the same messages:
a plain message mix and an exercise walked through (8 turns), at 1, 20 and 50 people,
and a long conversation (turn 60 against turn 6). Prints throughput, p50/p95/p99, errors,
CPU per message and resident memory with the project/stock ratio, and writes the figures
to build/bench/results.json. Figures only: nothing here asserts on them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys

from bot.paths import REPO_ROOT
from bot.tools import load
from bot.tools.bench_servers import Bot, project_bot, stock_bot

RESULTS = REPO_ROOT / "build" / "bench" / "results.json"
STOCK_PORT, PROJECT_PORT, ACTION_PORT = 5860, 5805, 5855
LONG_TURNS, LONG_PEOPLE = 60, 5
SCALE_PEOPLE = 20


def measure_bot(bot: Bot, people: list[int], seconds: float) -> dict[str, float]:
    figures: dict[str, float] = {}
    # Warm up: the first messages load lazily built parts (and are not what people see).
    for script in (load.plain, load.exercise):
        asyncio.run(load.run(bot.url, 2, script, 0, "warm", once=True))

    def record(key: str, result: load.Result, cpu: dict[str, float]) -> None:
        figures[f"{key}/msg_s"] = result.throughput()
        figures[f"{key}/p50"] = result.percentile(0.50)
        figures[f"{key}/p95"] = result.percentile(0.95)
        figures[f"{key}/p99"] = result.percentile(0.99)
        figures[f"{key}/errors"] = result.errors
        messages = max(1, len(result.samples))
        for role, spent in cpu.items():
            figures[f"{key}/cpu_{role}_ms"] = spent * 1000 / messages

    def timed(key: str, people_: int, script, once: bool = False) -> load.Result:
        before = {role: bot.cpu_seconds(role) for role in bot.processes}
        result = asyncio.run(load.run(bot.url, people_, script, seconds, key, once=once))
        spent = {role: bot.cpu_seconds(role) - before[role] for role in bot.processes}
        record(key, result, spent)
        print(f"  {bot.name} {key}: {result.throughput():.1f} msg/s", file=sys.stderr)
        return result

    for count in people:
        timed(f"plain@{count}", count, load.plain)
        timed(f"exercise@{count}", count, load.exercise)
    long = timed("long", LONG_PEOPLE, load.long_conversation(LONG_TURNS), once=True)
    figures["long/turn6"] = long.median_at(range(4, 9))
    figures["long/turn60"] = long.median_at(range(LONG_TURNS - 4, LONG_TURNS + 1))
    figures["rss_mb"] = bot.rss_mb()
    return figures


def measure_scale(people: int, seconds: float) -> dict[str, float]:
    """The same load through nginx to two instances (bot/scale.py; DATABASE_URL must be
    PostgreSQL), for the two-against-one row."""
    from bot.scale import Layout, Stack

    stack = Stack(Layout.from_env())
    stack.layout.run_dir.mkdir(parents=True, exist_ok=True)
    stack.up()
    try:
        url = stack.layout.rest_url
        for script in (load.plain, load.exercise):
            asyncio.run(load.run(url, 2, script, 0, "warm", once=True))
        figures = {}
        for name, script in (("plain", load.plain), ("exercise", load.exercise)):
            result = asyncio.run(load.run(url, people, script, seconds, f"scale-{name}"))
            figures[f"{name}@{people}/msg_s"] = result.throughput()
            figures[f"{name}@{people}/p50"] = result.percentile(0.50)
            figures[f"{name}@{people}/p95"] = result.percentile(0.95)
            figures[f"{name}@{people}/errors"] = result.errors
            print(f"  two instances {name}: {result.throughput():.1f} msg/s", file=sys.stderr)
        return figures
    finally:
        stack.down()


def print_scale(results: dict[str, dict[str, float]], people: int) -> None:
    one, two = results.get("project", {}), results.get("scale", {})
    print(f"\n| {people} people | one instance | two behind nginx | two / one |\n|---|---|---|---|")
    for mix in ("plain", "exercise"):
        for label, suffix, fmt in (("msg/s", "msg_s", "{:.1f}"), ("p95 ms", "p95", "{:.0f}")):
            key = f"{mix}@{people}/{suffix}"
            print(
                f"| {mix}: {label} | {cell(one, key, fmt)} | {cell(two, key, fmt)} "
                f"| {ratio(one, two, key)} |"
            )


def rows(people: list[int]) -> list[tuple[str, str, str]]:
    """(label, figure key, format) in the printed order."""
    table = []
    for mix in ("plain", "exercise"):
        for count in people:
            key = f"{mix}@{count}"
            table += [
                (f"{mix}, {count} people: msg/s", f"{key}/msg_s", "{:.1f}"),
                (f"{mix}, {count} people: p50 ms", f"{key}/p50", "{:.0f}"),
                (f"{mix}, {count} people: p95 ms", f"{key}/p95", "{:.0f}"),
                (f"{mix}, {count} people: p99 ms", f"{key}/p99", "{:.0f}"),
                (f"{mix}, {count} people: errors", f"{key}/errors", "{:.0f}"),
                (f"{mix}, {count} people: Rasa CPU ms/msg", f"{key}/cpu_rasa_ms", "{:.1f}"),
                (f"{mix}, {count} people: actions CPU ms/msg", f"{key}/cpu_actions_ms", "{:.1f}"),
            ]
    table += [
        (f"long conversation, {LONG_PEOPLE} people: turn 6 p50 ms", "long/turn6", "{:.0f}"),
        (f"long conversation: turn {LONG_TURNS} p50 ms", "long/turn60", "{:.0f}"),
        ("resident memory after load (MB)", "rss_mb", "{:.0f}"),
    ]
    return table


def cell(figures: dict[str, float], key: str, fmt: str) -> str:
    value = figures.get(key)
    return "-" if value is None or math.isnan(value) else fmt.format(value)


def ratio(stock: dict[str, float], project: dict[str, float], key: str) -> str:
    a, b = stock.get(key), project.get(key)
    if a is None or b is None or math.isnan(a) or math.isnan(b) or a == 0:
        return "-"
    return f"{b / a:.2f}x"


def print_table(results: dict[str, dict[str, float]], people: list[int]) -> None:
    """stock | (before, when measured with --label before) | project | project / stock."""
    stock, project = results.get("stock", {}), results.get("project", {})
    before = results.get("before")
    columns = [("stock `rasa init`", stock)]
    columns += [("project before (plain `rasa`)", before)] if before else []
    columns += [("project", project)]
    print("| | " + " | ".join(name for name, _ in columns) + " | project / stock |")
    print("|---" * (len(columns) + 2) + "|")
    for label, key, fmt in rows(people):
        if not any(key in figures for _, figures in columns):
            continue
        cells = " | ".join(cell(figures, key, fmt) for _, figures in columns)
        print(f"| {label} | {cells} | {ratio(stock, project, key)} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="length of each load case")
    parser.add_argument("--people", type=int, nargs="+", default=[1, 20, 50])
    parser.add_argument("--only", choices=["stock", "project", "none"], help="none: --scale only")
    parser.add_argument(
        "--unpatched", action="store_true", help="the project on plain `rasa` (no bot/speedups)"
    )
    parser.add_argument(
        "--label", default="project", help="name the project's figures are kept under"
    )
    parser.add_argument(
        "--scale", action="store_true", help="also two instances behind nginx (make scale-up)"
    )
    parser.add_argument("--reprint", action="store_true", help="print the last results again")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, float]] = {}
    if RESULTS.exists():
        results = json.loads(RESULTS.read_text())
    if not args.reprint:
        if args.only in (None, "stock"):
            with stock_bot(STOCK_PORT) as bot:
                results["stock"] = measure_bot(bot, args.people, args.seconds)
        if args.only in (None, "project"):
            with project_bot(PROJECT_PORT, ACTION_PORT, args.unpatched) as bot:
                results[args.label] = measure_bot(bot, args.people, args.seconds)
        if args.scale:
            results["scale"] = measure_scale(SCALE_PEOPLE, args.seconds)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1))
    print_table(results, args.people)
    if "scale" in results:
        print_scale(results, SCALE_PEOPLE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
