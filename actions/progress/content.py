"""What progress.yml says: the tracked exercises, their dimensions and the phrases."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bot.content import Strict, load_content

PROGRESS_FILE = Path(__file__).resolve().parent / "progress.yml"


class Scale(Strict):
    min: int
    max: int


class Dimension(Strict):
    label: str
    suggestion: str
    exercise: str


class Tracked(Strict):
    scale: Scale
    higher_is_better: bool
    dimensions: dict[str, Dimension]


class Phrases(Strict):
    went: str
    stayed: str
    joiner: str
    chart_title: str
    chart_alt: str
    date_format: str


class ProgressContent(Strict):
    monitor_progress: Tracked
    signs_of_eroded_trust: Tracked
    phrases: Phrases

    def tracked(self) -> dict[str, Tracked]:
        return {
            "monitor_progress": self.monitor_progress,
            "signs_of_eroded_trust": self.signs_of_eroded_trust,
        }


@lru_cache(maxsize=1)
def progress_content() -> ProgressContent:
    return load_content(PROGRESS_FILE, ProgressContent)
