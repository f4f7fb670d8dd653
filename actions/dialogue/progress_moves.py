""" "Show my progress", and the comparison at the end of each health check after the first:
the ratings over time as a chart (widget, Telegram) or a text table (shell, REST), a plain
comparison with last time and one suggestion for the dimension that needs it most. No
streaks, nothing about gaps between checks."""

from __future__ import annotations

import base64

from actions.buttons import button
from actions.dialogue.turn import Turn
from actions.exercises.catalogue import exercises
from actions.persistence.access import repository
from actions.persistence.repository import StorageUnavailable
from actions.progress.chart import render_chart
from actions.progress.content import progress_content
from actions.progress.history import Point, comparison, history, table, weakest
from actions.tracker_facts import channel_of

TRACKED = ("monitor_progress", "signs_of_eroded_trust")
IMAGE_CHANNELS = frozenset({"socketio", "telegram"})


def points_of(turn: Turn, tracked_id: str) -> list[Point] | None:
    try:
        runs = repository().finished_runs(turn.sender_id)
    except StorageUnavailable:
        turn.say("utter_progress_unavailable")
        return None
    return history(tracked_id, runs)


def show_progress(turn: Turn) -> None:
    found = {tracked_id: points_of(turn, tracked_id) for tracked_id in TRACKED}
    if any(points is None for points in found.values()):
        return
    shown = [tracked_id for tracked_id, points in found.items() if points]
    if not shown:
        turn.say(
            "utter_no_progress",
            buttons=[
                button(
                    exercises()["monitor_progress"].title,
                    "start_exercise",
                    exercise="monitor_progress",
                )
            ],
        )
        return
    for tracked_id in shown:
        present(turn, tracked_id, found[tracked_id])


def after_check(turn: Turn, tracked_id: str) -> None:
    """After a health check: the comparison, from the second one on."""
    points = points_of(turn, tracked_id)
    if points and len(points) > 1:
        present(turn, tracked_id, points)


def present(turn: Turn, tracked_id: str, points: list[Point]) -> None:
    title = exercises()[tracked_id].title
    if len(points) == 1:
        turn.say("utter_progress_first", exercise_title=title, table=table(tracked_id, points))
        return
    if channel_of(turn.tracker) in IMAGE_CHANNELS:
        turn.say(
            "utter_progress_chart", exercise_title=title, json_message=chart(tracked_id, points)
        )
    else:
        turn.say("utter_progress_table", exercise_title=title, table=table(tracked_id, points))
    tracked = progress_content().tracked()[tracked_id]
    lowest = tracked.dimensions[weakest(tracked, points[-1])]
    suggested = exercises()[lowest.exercise]
    turn.say(
        "utter_progress_compare",
        comparison=comparison(tracked_id, points),
        suggestion=lowest.suggestion,
        buttons=[button(suggested.title, "start_exercise", exercise=suggested.id)],
    )


def chart(tracked_id: str, points: list[Point]) -> dict:
    """The custom payload the widget and the Telegram connector show as an image."""
    png = render_chart(tracked_id, points)
    return {
        "chart": {
            "png_base64": base64.b64encode(png).decode("ascii"),
            "alt": progress_content().phrases.chart_alt,
        }
    }


REQUESTS = {"show_progress": show_progress}
