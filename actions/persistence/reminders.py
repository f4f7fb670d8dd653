"""The reminders table and each person's time zone, as short transactions.

`claim` is how a due time is taken exactly once, by one scheduler among several: a
compare-and-set on the due time (UPDATE ... WHERE next_due_at = <the due time seen>). On
PostgreSQL the second UPDATE waits for the first one's row lock and then matches nothing; on
SQLite writes are serialised. Either way only one caller sees a row count of 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from actions.persistence.database import Database
from actions.persistence.models import Person, Reminder, ReminderOutcome, utcnow
from actions.persistence.repository import Repository, guarded


@dataclass(frozen=True)
class ReminderView:
    id: int
    sender_id: str
    channel: str
    weekday: int
    hour: int
    minute: int
    every_weeks: int
    time_zone: str
    next_due_at: datetime
    last_due_at: datetime | None
    last_outcome: str | None
    waiting_since: datetime | None
    active: bool
    privacy_ok: bool
    abuse_disclosed: bool

    @classmethod
    def of(cls, reminder: Reminder) -> ReminderView:
        return cls(
            id=reminder.id,
            sender_id=reminder.person.sender_id,
            channel=reminder.channel,
            weekday=reminder.weekday,
            hour=reminder.hour,
            minute=reminder.minute,
            every_weeks=reminder.every_weeks,
            time_zone=reminder.time_zone,
            next_due_at=reminder.next_due_at,
            last_due_at=reminder.last_due_at,
            last_outcome=reminder.last_outcome,
            waiting_since=reminder.waiting_since,
            active=reminder.active,
            privacy_ok=reminder.privacy_ok,
            abuse_disclosed=reminder.person.abuse_disclosed,
        )

    @property
    def held(self) -> bool:
        """Not sent as a message: abuse was disclosed and the person has not said yes since."""
        return self.abuse_disclosed and not self.privacy_ok


@dataclass(frozen=True)
class NewReminder:
    weekday: int
    hour: int
    minute: int
    every_weeks: int
    time_zone: str
    next_due_at: datetime
    privacy_ok: bool = False


class ReminderStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    @staticmethod
    def _active(session: Session, sender_id: str) -> Reminder | None:
        return session.execute(
            select(Reminder)
            .join(Person)
            .where(Person.sender_id == sender_id, Reminder.active.is_(True))
            .order_by(Reminder.id.desc())
            .limit(1)
        ).scalar_one_or_none()

    @guarded
    def time_zone(self, sender_id: str) -> str | None:
        with self.database.session() as session:
            return session.execute(
                select(Person.time_zone).where(Person.sender_id == sender_id)
            ).scalar_one_or_none()

    @guarded
    def set_time_zone(self, sender_id: str, channel: str, time_zone: str) -> None:
        with self.database.session() as session:
            Repository.person(session, sender_id, channel).time_zone = time_zone

    @guarded
    def save(self, sender_id: str, channel: str, new: NewReminder) -> ReminderView:
        """Sets the person's check-in reminder: one per person, so a new one replaces it."""
        with self.database.session() as session:
            person = Repository.person(session, sender_id, channel)
            reminder = self._active(session, sender_id)
            if reminder is None:
                reminder = Reminder(person=person, active=True)
                session.add(reminder)
            reminder.channel = channel
            reminder.weekday, reminder.hour, reminder.minute = new.weekday, new.hour, new.minute
            reminder.every_weeks, reminder.time_zone = new.every_weeks, new.time_zone
            reminder.next_due_at, reminder.waiting_since = new.next_due_at, None
            reminder.privacy_ok = new.privacy_ok or reminder.privacy_ok
            person.time_zone = new.time_zone
            session.flush()
            return ReminderView.of(reminder)

    @guarded
    def active_for(self, sender_id: str) -> ReminderView | None:
        with self.database.session() as session:
            reminder = self._active(session, sender_id)
            return ReminderView.of(reminder) if reminder else None

    @guarded
    def stop(self, sender_id: str) -> int:
        """Deactivates the person's reminders; returns how many were active."""
        with self.database.session() as session:
            reminders = session.execute(
                select(Reminder)
                .join(Person)
                .where(Person.sender_id == sender_id, Reminder.active.is_(True))
            ).scalars()
            count = 0
            for reminder in reminders:
                reminder.active, reminder.waiting_since = False, None
                count += 1
            return count

    @guarded
    def allow_after_disclosure(self, sender_id: str) -> None:
        """The person said yes to reminders after an abuse disclosure."""
        with self.database.session() as session:
            reminder = self._active(session, sender_id)
            if reminder is not None:
                reminder.privacy_ok = True

    @guarded
    def due(self, now: datetime, limit: int = 100) -> list[ReminderView]:
        with self.database.session() as session:
            reminders = session.execute(
                select(Reminder)
                .where(Reminder.active.is_(True), Reminder.next_due_at <= now)
                .order_by(Reminder.next_due_at, Reminder.id)
                .limit(limit)
            ).scalars()
            return [ReminderView.of(reminder) for reminder in reminders]

    @guarded
    def claim(
        self, reminder_id: int, due_at: datetime, next_due_at: datetime, outcome: str
    ) -> bool:
        """Takes the due time `due_at` for delivery, moving the reminder to `next_due_at`.
        True for exactly one caller per due time."""
        now = utcnow()
        values = {
            "next_due_at": next_due_at,
            "last_due_at": due_at,
            "last_outcome": outcome,
            "updated_at": now,
        }
        if outcome == ReminderOutcome.SENT:
            values["last_sent_at"] = now
        if outcome == ReminderOutcome.WAITING:
            values["waiting_since"] = due_at
        with self.database.session() as session:
            result = session.execute(
                update(Reminder)
                .where(
                    Reminder.id == reminder_id,
                    Reminder.active.is_(True),
                    Reminder.next_due_at == due_at,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1

    @guarded
    def record_outcome(self, reminder_id: int, outcome: str) -> None:
        with self.database.session() as session:
            reminder = session.get(Reminder, reminder_id)
            if reminder is not None:
                reminder.last_outcome = outcome

    @guarded
    def deactivate_all(self, sender_id: str, outcome: str = ReminderOutcome.BLOCKED) -> None:
        """The person blocked the bot: nothing more is sent to them."""
        with self.database.session() as session:
            for reminder in session.execute(
                select(Reminder).join(Person).where(Person.sender_id == sender_id)
            ).scalars():
                reminder.active, reminder.last_outcome = False, outcome

    def _waiting(self, session, sender_id: str) -> Reminder | None:
        """The person's active reminder when a due time waits for their next visit."""
        reminder = self._active(session, sender_id)
        return reminder if reminder is not None and reminder.waiting_since is not None else None

    @guarded
    def waiting(self, sender_id: str) -> ReminderView | None:
        """A due time kept for the person's next visit, if there is one (left in place)."""
        with self.database.session() as session:
            reminder = self._waiting(session, sender_id)
            return ReminderView.of(reminder) if reminder is not None else None

    @guarded
    def take_waiting(self, sender_id: str) -> ReminderView | None:
        """The waiting due time, cleared so that it is shown once (on one instance)."""
        with self.database.session() as session:
            reminder = self._waiting(session, sender_id)
            if reminder is None:
                return None
            shown = ReminderView.of(reminder)
            result = session.execute(
                update(Reminder)
                .where(Reminder.id == reminder.id, Reminder.waiting_since == shown.waiting_since)
                .values(waiting_since=None)
                .execution_options(synchronize_session=False)
            )
            return shown if result.rowcount == 1 else None
