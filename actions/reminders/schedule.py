"""A weekly reminder's schedule: read from what the person said, and its due times.

Pure functions, no clock of their own: every function that needs "now" is given it, so the
scheduler and the tests control time. Due times are computed in the person's time zone and
stored in UTC, so 20:00 stays 20:00 across daylight-saving changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from actions.dialogue.lexicon import normalise
from actions.reminders.words import words

SHORT_MESSAGE_WORDS = 3  # risky day words ("sat", "sun") count in messages this short
OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$")
CLOCK = re.compile(r"(?<![\d:])(\d{1,2})(?:[:.h](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?(?![\d:])")


@dataclass(frozen=True)
class Schedule:
    weekday: int  # 0 Monday ... 6 Sunday
    hour: int
    minute: int = 0
    every_weeks: int = 1


@dataclass(frozen=True)
class Said:
    """What a message says about a schedule; None where it says nothing."""

    weekday: int | None = None
    hour: int | None = None
    minute: int = 0
    ambiguous: bool = False  # "at 8": morning or evening is not said
    every_weeks: int | None = None
    time_zone: str | None = None

    @property
    def says_anything(self) -> bool:
        return any(v is not None for v in (self.weekday, self.hour, self.every_weeks)) or bool(
            self.time_zone
        )

    def over(self, earlier: dict) -> dict:
        """A draft (question args) updated with what this message says."""
        draft = dict(earlier)
        for key in ("weekday", "every_weeks", "time_zone"):
            if getattr(self, key) is not None:
                draft[key] = getattr(self, key)
        if self.hour is not None:
            draft.update(hour=self.hour, minute=self.minute, ambiguous=self.ambiguous)
        return draft


# --- reading --------------------------------------------------------------------------------
def read_schedule(text: str) -> Said:
    said = normalise(text)
    weekday = read_weekday(said)
    hour, minute, ambiguous = read_time(said)
    return Said(
        weekday=weekday,
        hour=hour,
        minute=minute,
        ambiguous=ambiguous,
        every_weeks=read_every_weeks(said),
        time_zone=read_time_zone_in(said),
    )


def _has(said: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", said) is not None


def read_weekday(said: str) -> int | None:
    """The day named last ("move it from Tuesday to Monday" means Monday)."""
    w = words()
    # "sat 9am" is a day; "we sat down" is not: a risky word needs a short message or a time.
    short = len(said.split()) <= SHORT_MESSAGE_WORDS or read_time(said)[0] is not None
    found: list[tuple[int, int]] = []
    for weekday, day in enumerate(w.days):
        for word in day.words:
            if word in w.risky_day_words and not short:
                continue
            for match in re.finditer(rf"(?<![\w']){re.escape(word)}(?![\w'])", said):
                found.append((match.start(), weekday))
    return max(found)[1] if found else None


def read_every_weeks(said: str) -> int | None:
    if any(_has(said, p) for p in words().every_two_weeks):
        return 2
    if any(_has(said, p) for p in words().every_week):
        return 1
    return None


def read_time(said: str) -> tuple[int | None, int, bool]:
    """(hour, minute, ambiguous): "8pm", "20:00", "8.30 in the evening", "eight", "noon"."""
    w = words()
    if any(_has(said, p) for p in w.noon):
        return 12, 0, False
    if any(_has(said, p) for p in w.midnight):
        return 0, 0, False
    evening = any(_has(said, p) for p in w.evening)
    morning = any(_has(said, p) for p in w.morning)
    for match in CLOCK.finditer(said):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour > 23 or minute > 59:
            continue
        marker = (match.group(3) or "").replace(".", "")
        if not marker and not match.group(2) and not _looks_like_a_time(said, match):
            continue  # "every 2 weeks", "in 3 days": a number that is not a clock time
        return _with_period(hour, minute, marker == "pm" or evening, marker == "am" or morning)
    for word, hour in w.hour_words.items():
        if _has(said, f"at {word}") or _has(said, f"{word} o'clock") or said == word:
            return _with_period(hour, 0, evening, morning)
    return None, 0, False


def _looks_like_a_time(said: str, match: re.Match) -> bool:
    before = said[: match.start()].rstrip()
    after = said[match.end() :].lstrip()
    return (
        before.endswith(("at", "around", "about", "by", "for"))
        or after.startswith(("o'clock", "oclock", "in the", "at night", "tonight"))
        or said.strip() == match.group(0).strip()
    )


def _with_period(hour: int, minute: int, pm: bool, am: bool) -> tuple[int, int, bool]:
    if hour == 0 or hour > 12:
        return hour, minute, False  # 24-hour clock: nothing to guess
    if pm and not am:
        return (hour % 12) + 12, minute, False
    if am and not pm:
        return hour % 12, minute, False
    return hour, minute, True


def pm_of(hour: int) -> int:
    return (hour % 12) + 12


# --- time zones -----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Lower-case IANA names and their city part ("new york") -> the IANA name."""
    names: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/")) or "/" not in name:
            continue
        names.setdefault(name.lower(), name)
        names.setdefault(name.rsplit("/", 1)[1].replace("_", " ").lower(), name)
    return names


def read_time_zone(text: str) -> str | None:
    """A time zone from a whole reply: "London", "Europe/Berlin", "EST", "UTC+2"."""
    said = normalise(text).removesuffix(" time").removeprefix("i'm in ").removeprefix("im in ")
    said = said.removeprefix("i am in ").removeprefix("in ").strip()
    if not said:
        return None
    offset = _offset_name(said)
    if offset:
        return offset
    return words().time_zones.get(said) or _zone_names().get(said) or read_time_zone_in(said)


def read_time_zone_in(said: str) -> str | None:
    """A time zone named inside a longer message ("8pm london time")."""
    for phrase, name in sorted(words().time_zones.items(), key=lambda kv: -len(kv[0])):
        if len(phrase) > 3 and _has(said, phrase):
            return name
    for phrase, name in sorted(_zone_names().items(), key=lambda kv: -len(kv[0])):
        if "/" not in phrase and len(phrase) > 3 and _has(said, phrase):
            return name
    return None


def _offset_name(said: str) -> str | None:
    match = OFFSET.match(said.replace(" ", ""))
    if not match or not said.startswith(("utc", "gmt", "+", "-")):
        return None
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes not in (0, 15, 30, 45):
        return None
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def zone(name: str) -> tzinfo:
    """The tzinfo of a stored time-zone name (an IANA name or "UTC+05:30")."""
    match = re.match(r"^UTC([+-])(\d{2}):(\d{2})$", name)
    if match:
        delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        return timezone(delta if match.group(1) == "+" else -delta)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


# --- due times ------------------------------------------------------------------------------
def occurrence(day: date, schedule: Schedule, zone_name: str) -> datetime:
    local = datetime.combine(day, time(schedule.hour, schedule.minute), tzinfo=zone(zone_name))
    return local.astimezone(timezone.utc)


def first_due(schedule: Schedule, zone_name: str, now: datetime) -> datetime:
    """The first due time strictly after `now`, on the schedule's weekday."""
    today = now.astimezone(zone(zone_name)).date()
    day = today + timedelta(days=(schedule.weekday - today.weekday()) % 7)
    due = occurrence(day, schedule, zone_name)
    return due if due > now else occurrence(day + timedelta(days=7), schedule, zone_name)


def following_due(schedule: Schedule, zone_name: str, due: datetime) -> datetime:
    """The due time after `due`: the same local time, `every_weeks` weeks later."""
    day = due.astimezone(zone(zone_name)).date() + timedelta(weeks=schedule.every_weeks)
    return occurrence(day, schedule, zone_name)


def next_after(schedule: Schedule, zone_name: str, due: datetime, now: datetime) -> datetime:
    """The first due time on the schedule's cadence after `now` (skipping any missed ones)."""
    following = following_due(schedule, zone_name, due)
    while following <= now:
        following = following_due(schedule, zone_name, following)
    return following


def with_every_weeks(schedule: Schedule, every_weeks: int | None) -> Schedule:
    return replace(schedule, every_weeks=every_weeks or schedule.every_weeks)
