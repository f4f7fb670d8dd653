"""The progress chart as PNG bytes, rendered on the server (no data leaves the machine)."""

from __future__ import annotations

import io
from datetime import datetime

from actions.progress.content import progress_content
from actions.progress.history import Point

WIDTH_INCHES, HEIGHT_INCHES, DPI = 6.4, 3.6, 100  # 640 x 360: sharp on a phone, ~30 KB


def series(tracked_id: str, points: list[Point]) -> dict[str, list[tuple[datetime, int]]]:
    """The lines of the chart: per dimension label, its dated ratings (skipped ones left out)."""
    tracked = progress_content().tracked()[tracked_id]
    lines = {}
    for name, dimension in tracked.dimensions.items():
        dated = [(p.at, p.values[name]) for p in points if name in p.values]
        if dated:
            lines[dimension.label.split(" (")[0]] = dated
    return lines


def render_chart(tracked_id: str, points: list[Point]) -> bytes:
    # Imported here: matplotlib takes ~0.3 s to import, and only this needs it. Agg draws
    # without a display.
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.dates import DateFormatter

    content = progress_content()
    tracked = content.tracked()[tracked_id]
    figure, axes = pyplot.subplots(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    try:
        for label, dated in series(tracked_id, points).items():
            xs, ys = zip(*dated, strict=True)
            axes.plot(xs, ys, marker="o", label=label)
        axes.set_ylim(tracked.scale.min - 0.3, tracked.scale.max + 0.3)
        axes.set_yticks(range(tracked.scale.min, tracked.scale.max + 1))
        axes.xaxis.set_major_formatter(DateFormatter(content.phrases.date_format))
        axes.set_title(content.phrases.chart_title)
        axes.grid(alpha=0.3)
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
        figure.autofmt_xdate()
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        pyplot.close(figure)
