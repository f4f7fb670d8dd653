"""How the trained model reads long first messages it never saw (tests/nlu/long_heldout/).

    python -m bot.tools.long_message_eval [--model models/trust-repair.tar.gz]

The set was written separately from the training data, like real posts on support forums,
and is never trained or tuned on. For each message it reports what the person would meet:
the right theme offered directly, the clarification question (with the right theme among its
buttons, or not), or a wrong theme; and for the stories that ask about two themes, whether
both are reflected. Figures only: no threshold fails the test command.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections import Counter
from pathlib import Path

import yaml

from actions.dialogue.themes_read import second_theme, theme_candidates
from bot.paths import REPO_ROOT

HELD_OUT = REPO_ROOT / "tests" / "nlu" / "long_heldout"
FALLBACK = "nlu_fallback"


def load_items(folder: Path = HELD_OUT) -> list[dict]:
    items = []
    for path in sorted(folder.glob("*.y*ml")):
        items += yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    return items


def outcome(parsed: dict, theme: str) -> str:
    intent = parsed["intent"]["name"]
    if intent == theme:
        return "right theme offered"
    if intent == FALLBACK:
        candidates = theme_candidates(parsed.get("intent_ranking") or [])
        return "asked, right theme a button" if theme in candidates else "asked, not among buttons"
    return "wrong theme or intent"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(REPO_ROOT / "models" / "trust-repair.tar.gz"))
    args = parser.parse_args(argv)
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agent = Agent.load(args.model)
    loop = asyncio.new_event_loop()
    items = load_items()
    outcomes: Counter = Counter()
    both = total_two = 0
    for item in items:
        parsed = loop.run_until_complete(agent.parse_message(item["text"]))
        outcomes[outcome(parsed, item["theme"])] += 1
        if item.get("also"):
            total_two += 1
            ranking = parsed.get("intent_ranking") or []
            found = {parsed["intent"]["name"], second_theme(ranking, parsed["intent"]["name"])}
            both += {item["theme"], item["also"]} <= found
    print(f"long held-out messages: {len(items)} ({total_two} asking about two themes)")
    for name, count in outcomes.most_common():
        print(f"  {name:<28} {count:4d}  {count / len(items):6.1%}")
    if total_two:
        print(f"  two-theme stories with both themes reflected: {both}/{total_two}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
