"""Locations inside the repository, resolved from this file, not from the working directory."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PATTERNS_DIR = REPO_ROOT / "bot" / "patterns"
SPACY_PIPELINE_DIR = REPO_ROOT / "build" / "spacy" / "en_trust"
LANGUAGE_NOTES_FILE = REPO_ROOT / "actions" / "dialogue" / "languages.yml"
PLACES_FILE = REPO_ROOT / "actions" / "safety" / "places.yml"  # also the region entity patterns
