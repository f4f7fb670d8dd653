"""Safety example sets: the detector's training data and the evaluation sets.

Every set has the top-level keys ``crisis``, ``abuse``, ``both`` and ``none`` (hard
negatives). Each key holds either a list of ``{text, kind}`` items (the dev and held-out
sets) or a mapping of kind to a list of texts (the training files in data/safety/). The
older project set (tests/safety/safety_set.yml: lists of texts, negatives under
``hard_negatives``) is read too. Pure Python: the evaluation and the tests use it without
Rasa.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

CATEGORIES = ("crisis", "abuse")  # crisis first: an immediate risk to life is answered first
LABELS = ("crisis", "abuse", "both", "none")
LEGACY_NEGATIVES = "hard_negatives"
STORY_KIND = "story_context"  # long negative stories, also the frame for embedded disclosures
UNSPECIFIED_KIND = "unspecified"


@dataclass(frozen=True)
class SafetyExample:
    text: str
    label: str  # one of LABELS
    kind: str
    source: str | None = None  # the example this one was made from (a story around it)

    @property
    def group(self) -> str:
        """Examples made from the same one share a group: never split across folds."""
        return self.source or self.text

    @property
    def categories(self) -> frozenset[str]:
        if self.label == "both":
            return frozenset(CATEGORIES)
        return frozenset({self.label}) if self.label in CATEGORIES else frozenset()


def _items(label: str, value: object, source: Path) -> Iterable[SafetyExample]:
    if value is None:
        return
    if isinstance(value, dict):
        for kind, texts in value.items():
            for text in texts or []:
                yield SafetyExample(_text(text, source), label, str(kind))
        return
    if not isinstance(value, list):
        raise ValueError(f"{source}: `{label}` must be a list or a mapping of kind to texts")
    for item in value:
        if isinstance(item, str):
            yield SafetyExample(_text(item, source), label, UNSPECIFIED_KIND)
        elif isinstance(item, dict) and "text" in item:
            kind = str(item.get("kind") or UNSPECIFIED_KIND)
            yield SafetyExample(_text(item["text"], source), label, kind)
        else:
            raise ValueError(f"{source}: `{label}` item without text: {item!r}")


def _text(value: object, source: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{source}: empty or non-text example {value!r}")
    return value.strip()


def load_set(path: Path) -> list[SafetyExample]:
    spec = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(spec, dict):
        raise ValueError(f"{path}: expected the keys {', '.join(LABELS)}")
    if LEGACY_NEGATIVES in spec:
        spec = {k: v for k, v in spec.items() if k != LEGACY_NEGATIVES} | {
            "none": spec[LEGACY_NEGATIVES]
        }
    unknown = set(spec) - set(LABELS)
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}; expected {', '.join(LABELS)}")
    return [example for label in LABELS for example in _items(label, spec.get(label), path)]


def load_dir(directory: Path) -> list[SafetyExample]:
    """Every *.yml set in a directory, in file-name order, without repeated texts."""
    seen: set[str] = set()
    examples = []
    for path in sorted(Path(directory).glob("*.yml")):
        for example in load_set(path):
            key = example.text.lower()
            if key not in seen:
                seen.add(key)
                examples.append(example)
    if not examples:
        raise ValueError(f"{directory}: no safety examples found")
    return examples


def embed_in_stories(examples: list[SafetyExample], seed: int = 42) -> list[SafetyExample]:
    """Disclosures and hard negatives placed inside the long relationship stories.

    A disclosure is often one clause of a long message about an affair; the stories
    (kind ``story_context``) give each short example that setting once, at the start,
    in the middle or at the end, so the detector learns that the story is not the signal.
    An example of several sentences already has a setting of its own: placing it in a story
    too added half the detector's training time and nothing it did not already learn.
    """
    stories = [e.text for e in examples if e.kind == STORY_KIND]
    if not stories:
        return []
    rng = random.Random(seed)
    composed = []
    for example in examples:
        if example.kind == STORY_KIND:
            continue
        frame = sentences(rng.choice(stories))
        position = rng.randrange(len(frame) + 1)
        if len(sentences(example.text)) > 1:
            continue  # drawn first: adding a long example does not move the others' stories
        sentence = example.text if example.text[-1] in ".!?" else example.text + "."
        text = " ".join(frame[:position] + [sentence] + frame[position:])
        composed.append(
            SafetyExample(text, example.label, f"in_story:{example.kind}", source=example.text)
        )
    return composed


SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\s*\n+\s*")


def sentences(text: str) -> list[str]:
    """A message cut into sentences (lines count as sentences in chat)."""
    return [part.strip() for part in SENTENCE_END.split(text) if part and part.strip()]
