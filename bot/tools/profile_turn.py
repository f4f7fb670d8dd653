"""Where one turn's time goes: `make profile` (docs/measurements.md has a run's figures).

    python -m bot.tools.profile_turn [--turns 40] [--unpatched]

Loads the trained model in this process, as `rasa run` does (the project's endpoints: its
tracker store on a fresh SQLite file, the real action server started for the run), walks
people through the plain mix and the exercise one message at a time, and times every part
of each turn by wrapping Rasa's own functions: each graph node (spaCy, counts, sentence
embeddings, classifiers, policies), tracker-store reads and writes, custom-action calls
(and the HTTP round trip and response check inside them), with the size of the tracker
each action call carries. Prints milliseconds per turn for each part. `--unpatched`
leaves out bot/speedups.py, to see what it saves.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bot.paths import REPO_ROOT
from bot.shared_secret import ACTION_TOKEN_ENV
from bot.tools import load
from bot.tools.bench_servers import (
    PROJECT_MODEL,
    VENV_BIN,
    _start,
    _stop,
    project_workspace,
    wait_ready,
)

ACTION_PORT = 5856

spent: dict[str, float] = defaultdict(float)
counts: dict[str, int] = defaultdict(int)
sizes: list[int] = []


def timed_sync(owner: type, name: str, label: str) -> None:
    original = getattr(owner, name)

    def wrapper(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent[label(self) if callable(label) else label] += time.perf_counter() - started

    setattr(owner, name, wrapper)


def timed_async(owner: type, name: str, label: str) -> None:
    original = getattr(owner, name)

    async def wrapper(self, *args, **kwargs):
        started = time.perf_counter()
        counts[label] += 1
        try:
            return await original(self, *args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - started

    setattr(owner, name, wrapper)


def instrument() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.engine.graph import GraphNode
    from rasa.utils.endpoints import EndpointConfig

    from bot.tracker_store import ForgettingSQLTrackerStore

    timed_sync(GraphNode, "__call__", lambda node: f"graph node {node._node_name}")
    timed_async(ForgettingSQLTrackerStore, "retrieve", "tracker store: read")
    timed_async(ForgettingSQLTrackerStore, "save", "tracker store: write")
    timed_async(RemoteAction, "run", "custom action calls (all of it)")
    timed_async(EndpointConfig, "request", "  action server round trip (HTTP)")
    timed_sync(RemoteAction, "_validate_action_result", "  response schema check")
    format_call = RemoteAction._action_call_format

    def measured_format(self, tracker, domain):
        started = time.perf_counter()
        body = format_call(self, tracker, domain)
        spent["  request body built"] += time.perf_counter() - started
        started = time.perf_counter()
        sizes.append(len(json.dumps(body)))
        spent["  request body JSON (re-encoded by aiohttp)"] += time.perf_counter() - started
        return body

    RemoteAction._action_call_format = measured_format


async def converse(agent, turns: int) -> list[float]:
    """Wall time of each turn; people alternate between the plain mix and the exercise."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    walls: list[float] = []
    while len(walls) < turns:
        person = load.Person(None, "", f"profile-{len(walls)}")  # only picks the replies
        walking = len(walls) // load.EXERCISE_TURNS % 2 == 1
        for step in range(load.EXERCISE_TURNS):
            if not walking:
                text = load.PLAIN_MIX[step % len(load.PLAIN_MIX)]
            elif step == 0:
                text = f'/start_exercise{{"exercise":"{load.EXERCISE}"}}'
            else:
                text = person.next_exercise_reply()
            channel = CollectingOutputChannel()
            started = time.perf_counter()
            await agent.handle_message(UserMessage(text, channel, person.sender))
            walls.append(time.perf_counter() - started)
            person.last = channel.messages
    return walls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=48)
    parser.add_argument("--unpatched", action="store_true")
    args = parser.parse_args(argv)
    import logging

    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.log_utils import configure_structlog

    from bot import speedups

    configure_structlog(logging.WARNING)
    logging.basicConfig(level=logging.WARNING)
    if not args.unpatched:
        speedups.install()
    instrument()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env, endpoints = project_workspace(work, ACTION_PORT)
        os.environ[ACTION_TOKEN_ENV] = env[ACTION_TOKEN_ENV]  # Rasa runs in this process
        actions = [str(VENV_BIN / "python"), "-m", "bot.action_server", "--port", str(ACTION_PORT)]
        processes = {"actions": _start(actions, REPO_ROOT, work / "actions.log", env)}
        try:
            wait_ready(f"http://127.0.0.1:{ACTION_PORT}/health", list(processes.values()))
            loop = asyncio.new_event_loop()
            agent = loop.run_until_complete(
                load_agent(
                    str(PROJECT_MODEL),
                    endpoints=AvailableEndpoints.read_endpoints(str(endpoints)),
                    loop=loop,
                )
            )
            loop.run_until_complete(converse(agent, 8))  # warm up
            spent.clear(), counts.clear(), sizes.clear()
            walls = loop.run_until_complete(converse(agent, args.turns))
        finally:
            _stop(processes)
    turns = len(walls)
    print(
        f"{turns} turns, median {statistics.median(walls) * 1000:.0f} ms, "
        f"mean {sum(walls) / turns * 1000:.0f} ms per turn"
    )
    for label, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {seconds * 1000 / turns:8.1f} ms/turn  {label}")
    calls = counts["custom action calls (all of it)"]
    print(
        f"  {calls / turns:.1f} custom action calls per turn, request body "
        f"median {statistics.median(sizes) / 1024:.0f} KB, largest {max(sizes) / 1024:.0f} KB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
