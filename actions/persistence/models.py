"""SQLAlchemy models, written in 2.0 style on the 1.4 line that Rasa 3.6 requires."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
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
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    runs = relationship("ExerciseRun", back_populates="person", cascade="all, delete-orphan")


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
