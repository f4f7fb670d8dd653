"""Builds the project's English spaCy pipeline from source files in the repository.

No spaCy model can be downloaded here, so the pipeline is assembled from parts that ship
as Python packages: a blank English tokenizer, the lookup lemmatizer (tables from
``spacy-lookups-data``) and an entity ruler whose patterns live in ``bot/patterns/``; the
``region`` patterns are the place names of ``actions/safety/places.yml``, the list the
actions read places with, so the two never disagree.
Rasa's ``SpacyNLP`` loads the result from a path (see ``config.yml``).

Usage: ``python -m bot.tools.spacy_pipeline [OUTPUT_DIR]``
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from bot.paths import PATTERNS_DIR, SPACY_PIPELINE_DIR

ENTITY_PATTERN_FILE = "entities.yml"


def load_entity_patterns(path: Path) -> list[dict[str, Any]]:
    """Turns the readable ``label -> value -> [patterns]`` file into entity-ruler patterns.

    A string is a phrase matched case-insensitively; a list is a spaCy token pattern.
    The canonical value becomes the pattern ``id`` so that extracted entities can be
    normalised ("cheated on me" -> ``affair``).
    """
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    patterns = []
    for label, values in spec.items():
        for value, value_patterns in values.items():
            for pattern in value_patterns:
                if not isinstance(pattern, (str, list)):
                    raise ValueError(f"{path}: {label}.{value}: pattern must be a string or a list")
                patterns.append({"label": label, "id": value, "pattern": pattern})
    return patterns


def region_patterns() -> list[dict[str, Any]]:
    """Place names -> region code ("Dublin" -> ie); words that name people or languages
    ("Irish", "French") are left to the actions, where a place is expected."""
    from actions.safety.places import places

    found = places()
    patterns = [
        {"label": "region", "id": code, "pattern": name}
        for code, entry in found.regions.items()
        for name in entry.names
    ]
    patterns += [
        {"label": "region", "id": code, "pattern": [{"ORTH": part} for part in word.split()]}
        for code, words in found.case_sensitive.items()
        for word in words
    ]
    return patterns


def build_pipeline(patterns: Iterable[dict[str, Any]]):
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe(
        "entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True}
    )
    # initialize() loads the lemma tables and resets the ruler, so patterns come after it.
    nlp.initialize()
    ruler.add_patterns(list(patterns))
    return nlp


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else SPACY_PIPELINE_DIR
    patterns = load_entity_patterns(PATTERNS_DIR / ENTITY_PATTERN_FILE) + region_patterns()
    nlp = build_pipeline(patterns)
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    print(f"spaCy pipeline with {len(patterns)} entity patterns written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
