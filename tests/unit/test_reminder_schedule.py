"""Reading a schedule from what people say, and its due times across time zones and DST."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from actions.reminders.schedule import (
    Schedule,
    first_due,
    following_due,
    next_after,
    read_schedule,
    read_time_zone,
)

UTC = timezone.utc
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@pytest.mark.parametrize(
    ("text", "weekday", "hour", "minute", "ambiguous", "every_weeks"),
    [
        ("remind me every Tuesday at 8", TUE, 8, 0, True, None),
        ("move it to Monday 8pm", MON, 20, 0, False, None),
        ("move it from tuesday to monday", MON, None, 0, False, None),
        ("every other sunday at 19:30", SUN, 19, 30, False, 2),
        ("tuesdays 8.30 in the evening", TUE, 20, 30, False, None),
        ("wed 7am", WED, 7, 0, False, None),
        ("remind us on fridays at eight", FRI, 8, 0, True, None),
        ("fridays at eight at night", FRI, 20, 0, False, None),
        ("noon on saturday", SAT, 12, 0, False, None),
        ("thursday at 20h", THU, 20, 0, False, None),
        ("can you remind me every 2 weeks on thursday", THU, None, 0, False, 2),
        ("12am sunday", SUN, 0, 0, False, None),
        ("weekly reminder please", None, None, 0, False, 1),
    ],
)
def test_what_a_message_says_about_a_schedule(text, weekday, hour, minute, ambiguous, every_weeks):
    said = read_schedule(text)
    assert (said.weekday, said.hour, said.ambiguous, said.every_weeks) == (
        weekday,
        hour,
        ambiguous,
        every_weeks,
    )
    if hour is not None:
        assert said.minute == minute


@pytest.mark.parametrize(
    "text",
    ["we sat down and talked about it for hours", "the sun was out", "set a reminder"],
)
def test_ordinary_words_are_not_days_or_times(text):
    said = read_schedule(text)
    assert said.weekday is None and said.hour is None


def test_a_time_zone_named_inside_the_message_is_kept():
    assert read_schedule("sundays 8pm london time").time_zone == "Europe/London"


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("London", "Europe/London"),
        ("new york", "America/New_York"),
        ("Europe/Berlin", "Europe/Berlin"),
        ("EST", "America/New_York"),
        ("i'm in sydney", "Australia/Sydney"),
        ("UTC+2", "UTC+02:00"),
        ("gmt-5:30", "UTC-05:30"),
        ("uk time", "Europe/London"),
        ("sao paulo", "America/Sao_Paulo"),
    ],
)
def test_time_zones_by_city_name_abbreviation_or_offset(text, zone):
    assert read_time_zone(text) == zone


@pytest.mark.parametrize("text", ["banana", "my kitchen", "UTC+27"])
def test_an_unknown_time_zone_is_none(text):
    assert read_time_zone(text) is None


TUESDAY_8PM = Schedule(TUE, 20, 0)


def test_first_due_is_the_next_weekday_at_the_local_time():
    # Wednesday 2 Dec 2026 17:00 UTC; Tuesday 20:00 London is next week's 8 Dec 20:00 UTC.
    now = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    assert first_due(TUESDAY_8PM, "Europe/London", now) == datetime(2026, 12, 8, 20, 0, tzinfo=UTC)


def test_first_due_later_today_is_today_and_a_passed_one_is_next_week():
    before = datetime(2026, 12, 8, 19, 0, tzinfo=UTC)
    after = datetime(2026, 12, 8, 20, 0, tzinfo=UTC)  # exactly due: not again now
    assert first_due(TUESDAY_8PM, "UTC", before) == datetime(2026, 12, 8, 20, 0, tzinfo=UTC)
    assert first_due(TUESDAY_8PM, "UTC", after) == datetime(2026, 12, 15, 20, 0, tzinfo=UTC)


def test_the_local_time_holds_across_daylight_saving():
    # London goes back to GMT on 25 Oct 2026: 20:00 BST is 19:00 UTC, 20:00 GMT is 20:00 UTC.
    before_change = datetime(2026, 10, 20, 19, 0, tzinfo=UTC)
    after_change = following_due(TUESDAY_8PM, "Europe/London", before_change)
    assert after_change == datetime(2026, 10, 27, 20, 0, tzinfo=UTC)


def test_time_zones_far_from_utc_move_the_day():
    # Monday 08:00 in Auckland (UTC+13 in December) is Sunday 19:00 UTC.
    now = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    due = first_due(Schedule(MON, 8, 0), "Pacific/Auckland", now)
    assert due == datetime(2026, 12, 6, 19, 0, tzinfo=UTC)


def test_every_two_weeks_and_fixed_offsets():
    due = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)
    schedule = Schedule(TUE, 20, 0, every_weeks=2)
    assert following_due(schedule, "UTC+02:00", due) == datetime(2026, 12, 22, 18, 0, tzinfo=UTC)


def test_after_a_long_downtime_the_next_due_time_is_in_the_future_on_the_cadence():
    due = datetime(2026, 11, 3, 20, 0, tzinfo=UTC)  # missed, five weeks ago
    now = datetime(2026, 12, 8, 21, 0, tzinfo=UTC)
    assert next_after(TUESDAY_8PM, "UTC", due, now) == datetime(2026, 12, 15, 20, 0, tzinfo=UTC)
