"""SQLAlchemy models, written in 2.0 style on the 1.4 line that Rasa 3.6 requires."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

# Stable constraint names so that migrations work the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Base = declarative_base(metadata=MetaData(naming_convention=NAMING))


class RunStatus:
    """The statuses of an exercise run, as stored in `exercise_runs.status`."""

    ACTIVE = "active"
    PAUSED = "paused"
    FINISHED = "finished"
    STOPPED = "stopped"  # stopped and discarded: its answers are deleted
    OPEN = (ACTIVE, PAUSED)  # can be resumed


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UtcDateTime(TypeDecorator):
    """An aware UTC datetime on every backend. SQLite keeps no offset, so values are stored
    as naive UTC there and read back as aware: the scheduler compares due times exactly."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored as UTC")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


class Person(Base):
    """Someone talking to the assistant, identified like Rasa's trackers: by sender id."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("sender_id"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(40), nullable=False)
    sender_id = Column(String(255), nullable=False)
    role = Column(String(20))
    region = Column(String(20))
    abuse_disclosed = Column(Boolean, nullable=False, default=False)
    time_zone = Column(String(64))  # IANA name, asked once for reminders
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    runs = relationship("ExerciseRun", back_populates="person", cascade="all, delete-orphan")
    reminders = relationship("Reminder", back_populates="person", cascade="all, delete-orphan")


class ExerciseRun(Base):
    """One attempt at one exercise: active, paused, finished or stopped."""

    __tablename__ = "exercise_runs"

    id = Column(Integer, primary_key=True)
    person_id = Column(ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    exercise_id = Column(String(60), nullable=False)
    status = Column(String(20), nullable=False, default=RunStatus.ACTIVE)
    current_step = Column(String(60))
    role = Column(String(20))
    score = Column(Integer)
    started_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    finished_at = Column(DateTime(timezone=True))

    person = relationship("Person", back_populates="runs")
    answers = relationship(
        "Answer", back_populates="run", cascade="all, delete-orphan", order_by="Answer.id"
    )


class Answer(Base):
    """The person's answer to one step; `number` holds ratings and option scores."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("run_id", "step_id"),)

    id = Column(Integer, primary_key=True)
    run_id = Column(ForeignKey("exercise_runs.id", ondelete="CASCADE"), nullable=False, index=True)
    step_id = Column(String(60), nullable=False)
    value = Column(Text, nullable=False)
    number = Column(Integer)
    answered_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    run = relationship("ExerciseRun", back_populates="answers")


class ReminderOutcome:
    """What happened at a reminder's last due time (`reminders.last_outcome`)."""

    SENT = "sent"  # delivered as a message (Telegram)
    WAITING = "waiting"  # kept for the next visit (widget, shell, REST)
    MISSED = "missed"  # due while the scheduler was down for too long: skipped
    HELD = "held"  # not sent: abuse was disclosed and the person has not said yes to them
    BLOCKED = "blocked"  # the person blocked the bot: reminders deactivated
    FAILED = "failed"  # the channel refused it for another reason


class Reminder(Base):
    """A weekly (or every few weeks) check-in reminder. The database is the source of truth;
    the scheduler (actions/reminders/scheduler.py) claims each due time once."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "active", "next_due_at"),)

    id = Column(Integer, primary_key=True)
    person_id = Column(ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    channel = Column(String(40), nullable=False)
    weekday = Column(Integer, nullable=False)  # 0 Monday ... 6 Sunday
    hour = Column(Integer, nullable=False)
    minute = Column(Integer, nullable=False)
    every_weeks = Column(Integer, nullable=False, default=1)
    time_zone = Column(String(64), nullable=False)
    next_due_at = Column(UtcDateTime, nullable=False)
    last_due_at = Column(UtcDateTime)
    last_sent_at = Column(UtcDateTime)
    last_outcome = Column(String(20))
    waiting_since = Column(UtcDateTime)  # a due time not yet shown (widget, shell)
    active = Column(Boolean, nullable=False, default=True)
    privacy_ok = Column(Boolean, nullable=False, default=False)  # yes after a disclosure
    created_at = Column(UtcDateTime, nullable=False, default=utcnow)
    updated_at = Column(UtcDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    person = relationship("Person", back_populates="reminders")
