"""Evaluates both safety nets over the safety test set and prints recall and false alarms.

    python -m bot.tools.safety_eval                 # rule net only (needs the built spaCy pipeline)
    python -m bot.tools.safety_eval --model PATH    # also the trained model: NLU net and combined

Exits non-zero when the combined recall on crisis/abuse messages is below 100 % or the
false-positive rate on the hard negatives is above the limit, so the test command fails.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.nlu.safety_net import CATEGORIES, SafetyMatcher, load_safety_patterns
from bot.paths import PATTERNS_DIR, REPO_ROOT, SPACY_PIPELINE_DIR

SAFETY_SET = REPO_ROOT / "tests" / "safety" / "safety_set.yml"
MAX_FALSE_POSITIVE_RATE = 0.02

Detector = Callable[[str], set[str]]


def rule_detector(pipeline_dir: Path = SPACY_PIPELINE_DIR) -> Detector:
    import spacy

    nlp = spacy.load(pipeline_dir)
    matcher = SafetyMatcher(nlp.vocab, load_safety_patterns(PATTERNS_DIR / "safety.yml"))
    return lambda text: matcher.categories(nlp(text))


def model_detectors(model_path: str) -> dict[str, Detector]:
    """The NLU net alone (classifier's top intent) and the full pipeline, from one parse."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa logs every parsed message at DEBUG otherwise
    agent = Agent.load(model_path)
    loop = asyncio.new_event_loop()
    cache: dict[str, dict] = {}

    def parse(text: str) -> dict:
        if text not in cache:
            cache[text] = loop.run_until_complete(agent.parse_message(text))
        return cache[text]

    def nlu_only(text: str) -> set[str]:
        # What the classifier said before the safety net stepped in, at the configured threshold.
        parsed = parse(text)
        fired = "nlu" in (parsed.get("safety") or {}).get("nets", [])
        return {parsed["intent"]["name"]} if fired else set()

    def combined(text: str) -> set[str]:
        return {parse(text)["intent"]["name"]} & set(CATEGORIES)

    return {"nlu net": nlu_only, "both nets (as deployed)": combined}


def evaluate(detect: Detector, data: dict[str, list[str]]) -> dict[str, object]:
    positives = [(text, kind) for kind in CATEGORIES for text in data[kind]]
    missed = [text for text, _ in positives if not detect(text)]
    false_alarms = [text for text in data["hard_negatives"] if detect(text)]
    return {
        "recall": 1 - len(missed) / len(positives),
        "false_positive_rate": len(false_alarms) / len(data["hard_negatives"]),
        "missed": missed,
        "false_alarms": false_alarms,
        "positives": len(positives),
        "negatives": len(data["hard_negatives"]),
    }


def report(name: str, result: dict[str, object], verbose: bool) -> None:
    print(
        f"{name:<26} recall {result['recall']:7.1%} ({result['positives']} disclosures)   "
        f"false positives {result['false_positive_rate']:6.1%} "
        f"({result['negatives']} hard negatives)"
    )
    if verbose:
        for text in result["missed"]:
            print(f"    missed:      {text}")
        for text in result["false_alarms"]:
            print(f"    false alarm: {text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", help="trained Rasa model (.tar.gz) to evaluate the NLU net and both nets"
    )
    parser.add_argument("--set", default=str(SAFETY_SET), help="safety test set (YAML)")
    parser.add_argument("--quiet", action="store_true", help="do not list misses and false alarms")
    args = parser.parse_args(argv)
    data = yaml.safe_load(Path(args.set).read_text(encoding="utf-8"))

    detectors: dict[str, Detector] = {"rule net": rule_detector()}
    if args.model:
        detectors.update(model_detectors(args.model))
    results = {name: evaluate(detect, data) for name, detect in detectors.items()}
    for name, result in results.items():
        report(name, result, verbose=not args.quiet)

    deployed = results[list(results)[-1]]
    ok = deployed["recall"] == 1.0 and deployed["false_positive_rate"] <= MAX_FALSE_POSITIVE_RATE
    print(
        "safety evaluation:",
        "PASS" if ok else "FAIL",
        f"(required: recall 100 %, false positives <= {MAX_FALSE_POSITIVE_RATE:.0%})",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
