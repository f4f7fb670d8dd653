"""The ratings of a tracked exercise over time, from its finished runs, and the comparison
of the last two: plain data, no channel and no chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from actions.persistence.repository import RunView
from actions.progress.content import Tracked, progress_content


@dataclass(frozen=True)
class Point:
    at: datetime
    values: dict[str, int]  # dimension -> rating; a skipped rating is absent


def history(tracked_id: str, runs: list[RunView]) -> list[Point]:
    """Oldest first. A dimension called `score` is the run's total score."""
    tracked = progress_content().tracked()[tracked_id]
    points = []
    for run in sorted(
        (r for r in runs if r.exercise_id == tracked_id and r.finished_at), key=_finished
    ):
        values = {}
        for name in tracked.dimensions:
            number = run.score if name == "score" else (run.answers.get(name) or {}).get("number")
            if number is not None:
                values[name] = int(number)
        if values:
            points.append(Point(_aware(run.finished_at), values))
    return points


def _finished(run: RunView) -> datetime:
    return _aware(run.finished_at)


def _aware(at: datetime) -> datetime:
    """SQLite returns the stored UTC time without its offset."""
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def comparison(tracked_id: str, points: list[Point]) -> str:
    """ "communication went from 2 to 4; feeling safe stayed at 3", last time against now."""
    tracked = progress_content().tracked()[tracked_id]
    phrases = progress_content().phrases
    before, after = points[-2].values, points[-1].values
    parts = []
    for name, dimension in tracked.dimensions.items():
        if name not in before or name not in after:
            continue
        template = phrases.stayed if before[name] == after[name] else phrases.went
        parts.append(template.format(label=dimension.label, before=before[name], after=after[name]))
    text = phrases.joiner.join(parts)
    return text[:1].upper() + text[1:]


def weakest(tracked: Tracked, point: Point) -> str:
    """The dimension that needs attention most in the latest point (first one on a tie)."""
    sign = 1 if tracked.higher_is_better else -1
    return min(point.values, key=lambda name: sign * point.values[name])


def table(tracked_id: str, points: list[Point]) -> str:
    """A text table for channels without images: a row per dimension, a column per date."""
    tracked = progress_content().tracked()[tracked_id]
    date_format = progress_content().phrases.date_format
    shown = points[-6:]  # fits a phone or a terminal
    labels = {name: d.label.split(" (")[0].capitalize() for name, d in tracked.dimensions.items()}
    width = max(len(label) for label in labels.values())
    header = " " * width + "".join(f"{p.at:{date_format}}".rjust(8) for p in shown)
    rows = [
        label.ljust(width) + "".join(str(p.values.get(name, "-")).rjust(8) for p in shown)
        for name, label in labels.items()
    ]
    return "\n".join([header, *rows])
