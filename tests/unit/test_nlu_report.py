"""The cross-validation report's figures over several fold seeds."""

from __future__ import annotations

import pytest

from bot.tools.nlu_report import THEMES, meets_target, summarise


def run(f1: float, weakest: float, seconds: float = 60.0):
    scores = {theme: f1 for theme in THEMES}
    scores[THEMES[3]] = weakest
    return {"f1": scores, "all_intents_macro": f1, "cv_seconds": seconds}


def test_figures_are_means_over_the_seeds_and_the_worst_run_is_kept():
    summary = summarise([run(0.95, 0.90, 50), run(0.93, 0.84, 70)])
    assert summary["f1"][THEMES[0]] == pytest.approx(0.94)
    assert summary["lowest"] == pytest.approx(0.87)
    assert summary["worst_theme"] == pytest.approx(0.84)
    assert summary["worst_macro"] == pytest.approx((0.93 * 14 + 0.84) / 15)
    assert summary["cv_seconds"] == pytest.approx(60)


@pytest.mark.parametrize(
    "f1, weakest, met",
    [(0.95, 0.86, True), (0.95, 0.84, False), (0.92, 0.92, True), (0.91, 0.91, False)],
)
def test_the_target_needs_both_the_macro_figure_and_every_theme(f1, weakest, met):
    assert meets_target(summarise([run(f1, weakest)])) is met
