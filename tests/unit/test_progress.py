"""Progress over time: the history from finished health checks, the comparison with last
time, the chart (a real PNG, one point per check and dimension) and "show my progress"."""

from __future__ import annotations

import base64
import io
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from actions.persistence.models import ExerciseRun, RunStatus
from actions.progress.chart import render_chart, series
from actions.progress.history import comparison, history
from tests.support.dialogue import Talk

UTC = timezone.utc
FIRST = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)
DIMENSIONS = ("honesty", "feeling_safe", "communication", "appreciation", "follow_through")


def finished_check(repo, ratings: dict[str, int], at: datetime, sender: str = "person-1"):
    run_id = repo.start_run(sender, "rest", "monitor_progress", None, "honesty")
    repo.save_answers(run_id, {k: {"value": str(v), "number": v} for k, v in ratings.items()}, None)
    repo.set_status(run_id, RunStatus.FINISHED, score=sum(ratings.values()))
    with repo.database.session() as session:
        session.execute(update(ExerciseRun).where(ExerciseRun.id == run_id).values(finished_at=at))


def ratings(honesty=3, feeling_safe=3, communication=2, appreciation=4, follow_through=3):
    return dict(
        honesty=honesty,
        feeling_safe=feeling_safe,
        communication=communication,
        appreciation=appreciation,
        follow_through=follow_through,
    )


@pytest.fixture
def three_checks(repo):
    finished_check(repo, ratings(), FIRST)
    finished_check(repo, ratings(communication=3), FIRST + timedelta(weeks=2))
    skipped = ratings(communication=4)
    del skipped["appreciation"]  # a skipped rating is left out, not drawn as zero
    finished_check(repo, skipped, FIRST + timedelta(weeks=4))
    return history("monitor_progress", repo.finished_runs("person-1"))


def test_the_history_is_oldest_first_with_each_rating(three_checks):
    assert [p.at for p in three_checks] == [FIRST + timedelta(weeks=w) for w in (0, 2, 4)]
    assert [p.values.get("communication") for p in three_checks] == [2, 3, 4]


def test_the_comparison_says_what_moved_and_what_stayed(three_checks):
    text = comparison("monitor_progress", three_checks)
    assert text.startswith("Honesty stayed at 3")
    assert "feeling safe stayed at 3" in text and "communication went from 3 to 4" in text
    assert "appreciation" not in text  # skipped this time: nothing to compare


def test_the_chart_is_a_png_with_one_point_per_check_and_dimension(three_checks):
    lines = series("monitor_progress", three_checks)
    assert {label: len(points) for label, points in lines.items()} == {
        "honesty": 3,
        "feeling safe": 3,
        "communication": 3,
        "appreciation": 2,
        "follow-through": 3,
    }
    png = render_chart("monitor_progress", three_checks)
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (640, 360)


@pytest.fixture
def talk(repo) -> Talk:
    return Talk(slots={"welcomed": True})


def test_show_my_progress_with_nothing_yet_offers_the_health_check(talk):
    talk.say("show my progress", intent="show_progress")
    assert talk.responses == ["utter_no_progress"]
    assert talk.buttons[0]["payload"] == '/start_exercise{"exercise":"monitor_progress"}'


def test_show_my_progress_in_the_shell_is_a_table_with_a_comparison_and_a_suggestion(
    talk, three_checks
):
    talk.channel = "cmdline"
    talk.say("show my progress", intent="show_progress")
    assert talk.responses == ["utter_progress_table", "utter_progress_compare"]
    table = talk.last[0]["table"]
    assert "01 Nov" in table and "Communication" in table
    assert "Communication went from" not in talk.last[1]["comparison"]  # honesty comes first
    assert "communication went from 3 to 4" in talk.last[1]["comparison"]
    assert talk.last[1]["suggestion"].startswith("Honesty is the lowest")  # first of the 3s


def test_show_my_progress_in_the_widget_sends_the_chart_image(talk, three_checks):
    talk.channel = "socketio"
    talk.say("show my progress", intent="show_progress")
    assert talk.responses == ["utter_progress_chart", "utter_progress_compare"]
    png = base64.b64decode(talk.last[0]["custom"]["chart"]["png_base64"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_the_suggestion_is_for_the_lowest_dimension(talk, repo):
    finished_check(repo, ratings(appreciation=1), FIRST)
    finished_check(repo, ratings(appreciation=1, communication=4), FIRST + timedelta(weeks=2))
    talk.say("show my progress", intent="show_progress")
    assert talk.last[1]["suggestion"].startswith("Appreciation is the lowest")
    assert talk.buttons[0]["payload"] == '/start_exercise{"exercise":"appreciation_respect"}'


def test_a_health_check_after_the_first_ends_with_the_comparison(talk, repo):
    finished_check(repo, ratings(), FIRST)
    talk.say("are we making progress", intent="monitor_progress")
    talk.say("yes")
    for rating in ("4", "3", "4", "4", "3"):
        talk.say(rating)
    talk.say("move our check in earlier")
    assert "utter_progress_compare" in talk.responses
    compare = next(m for m in talk.last if m.get("response") == "utter_progress_compare")
    assert "communication went from 2 to 4" in compare["comparison"]


async def test_telegram_gets_the_chart_uploaded_as_a_photo(three_checks, fake_api):
    """The chart's bytes, rendered here, reach the Bot API as a sendPhoto upload (through
    the outbox's call, stored as JSON until it is sent)."""
    from actions.dialogue.progress_moves import chart
    from bot.channels.telegram.api import TelegramClient
    from bot.channels.telegram.output import render
    from bot.channels.telegram.payloads import PayloadCodec
    from tests.support.telegram_updates import TOKEN

    message = {"text": "Your progress", "custom": chart("monitor_progress", three_checks)}
    calls = render("555", message, PayloadCodec())
    assert [c.method for c in calls] == ["sendMessage", "sendPhoto"]
    client = TelegramClient(TOKEN, fake_api.base_url)
    mark = fake_api.mark()
    for call in calls:
        assert (await client.call_once(call.method, call.params)).ok
    await client.close()
    photo = fake_api.since(mark)[-1]
    assert photo.method == "sendPhoto" and photo.params["chat_id"] == "555"
    assert photo.params["photo"].startswith(b"\x89PNG\r\n\x1a\n")
