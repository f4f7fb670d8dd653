"""Everything the actions store or read, as plain operations over a Database.

Each method is one short transaction. Database errors surface as StorageUnavailable so
the actions can tell the person, keep the answer in the conversation and save it later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from actions.persistence.database import Database
from actions.persistence.models import Answer, ExerciseRun, Person, RunStatus, utcnow


class StorageUnavailable(RuntimeError):
    """The database could not be reached or refused the operation."""


@dataclass(frozen=True)
class RunView:
    id: int
    exercise_id: str
    status: str
    current_step: str | None
    role: str | None
    score: int | None
    started_at: datetime
    finished_at: datetime | None
    answers: dict[str, dict]

    @classmethod
    def of(cls, run: ExerciseRun) -> RunView:
        return cls(
            id=run.id,
            exercise_id=run.exercise_id,
            status=run.status,
            current_step=run.current_step,
            role=run.role,
            score=run.score,
            started_at=run.started_at,
            finished_at=run.finished_at,
            answers={a.step_id: {"value": a.value, "number": a.number} for a in run.answers},
        )


def guarded(method):
    """Database errors as StorageUnavailable (shared with actions/persistence/reminders.py)."""

    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except SQLAlchemyError as error:
            raise StorageUnavailable(type(error).__name__) from error

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


class Repository:
    def __init__(self, database: Database) -> None:
        self.database = database

    @staticmethod
    def person(session: Session, sender_id: str, channel: str) -> Person:
        person = session.execute(
            select(Person).where(Person.sender_id == sender_id)
        ).scalar_one_or_none()
        if person is None:
            person = Person(channel=channel, sender_id=sender_id)
            session.add(person)
            session.flush()
        return person

    @staticmethod
    def _run(session: Session, run_id: int) -> ExerciseRun:
        return session.execute(
            select(ExerciseRun)
            .where(ExerciseRun.id == run_id)
            .options(selectinload(ExerciseRun.answers))
        ).scalar_one()

    @guarded
    def start_run(
        self,
        sender_id: str,
        channel: str,
        exercise_id: str,
        role: str | None,
        first_step: str | None,
    ) -> int:
        """Starts a run; any other open run of this person is paused, not lost."""
        with self.database.session() as session:
            person = self.person(session, sender_id, channel)
            for run in session.execute(
                select(ExerciseRun).where(
                    ExerciseRun.person_id == person.id, ExerciseRun.status == RunStatus.ACTIVE
                )
            ).scalars():
                run.status = RunStatus.PAUSED
            run = ExerciseRun(
                person_id=person.id, exercise_id=exercise_id, role=role, current_step=first_step
            )
            session.add(run)
            session.flush()
            return run.id

    @guarded
    def save_answers(
        self,
        run_id: int,
        answers: Mapping[str, Mapping],
        current_step: str | None,
        role: str | None = None,
    ) -> None:
        """Upserts the given answers and moves the run to `current_step`."""
        with self.database.session() as session:
            run = self._run(session, run_id)
            existing = {answer.step_id: answer for answer in run.answers}
            for step_id, answer in answers.items():
                row = existing.get(step_id)
                if row is None:
                    run.answers.append(
                        Answer(step_id=step_id, value=answer["value"], number=answer.get("number"))
                    )
                else:
                    row.value, row.number, row.answered_at = (
                        answer["value"],
                        answer.get("number"),
                        utcnow(),
                    )
            run.current_step = current_step
            if role is not None:
                run.role = role
            run.updated_at = utcnow()

    @guarded
    def set_status(self, run_id: int, status: str, score: int | None = None) -> None:
        with self.database.session() as session:
            run = self._run(session, run_id)
            run.status = status
            run.updated_at = utcnow()
            if status == RunStatus.FINISHED:
                run.finished_at = utcnow()
                run.score = score
            if status == RunStatus.STOPPED:
                run.answers.clear()  # "stop and discard" means the answers go too

    @guarded
    def get_run(self, run_id: int) -> RunView | None:
        with self.database.session() as session:
            run = session.get(ExerciseRun, run_id, options=[selectinload(ExerciseRun.answers)])
            return RunView.of(run) if run else None

    @guarded
    def latest_open_run(self, sender_id: str) -> RunView | None:
        """The most recently touched paused or active run, to resume."""
        with self.database.session() as session:
            run = session.execute(
                select(ExerciseRun)
                .join(Person)
                .where(Person.sender_id == sender_id, ExerciseRun.status.in_(RunStatus.OPEN))
                .order_by(ExerciseRun.updated_at.desc(), ExerciseRun.id.desc())
                .options(selectinload(ExerciseRun.answers))
                .limit(1)
            ).scalar_one_or_none()
            return RunView.of(run) if run else None

    @guarded
    def finished_runs(self, sender_id: str) -> list[RunView]:
        with self.database.session() as session:
            runs = session.execute(
                select(ExerciseRun)
                .join(Person)
                .where(Person.sender_id == sender_id, ExerciseRun.status == RunStatus.FINISHED)
                .order_by(ExerciseRun.finished_at.desc(), ExerciseRun.id.desc())
                .options(selectinload(ExerciseRun.answers))
            ).scalars()
            return [RunView.of(run) for run in runs]

    @guarded
    def keeps_answers(self, sender_id: str) -> bool:
        """Whether anything this person wrote is kept to come back to: an answer (not a
        skip) in a run that is open or finished. A stopped run is not come back to."""
        with self.database.session() as session:
            kept = session.execute(
                select(Answer.id)
                .join(ExerciseRun)
                .join(Person)
                .where(
                    Person.sender_id == sender_id,
                    ExerciseRun.status.in_((*RunStatus.OPEN, RunStatus.FINISHED)),
                    Answer.value != "",
                )
                .limit(1)
            ).first()
            return kept is not None

    @guarded
    def set_abuse_disclosed(self, sender_id: str, channel: str, disclosed: bool) -> None:
        with self.database.session() as session:
            self.person(session, sender_id, channel).abuse_disclosed = disclosed

    @guarded
    def abuse_disclosed(self, sender_id: str) -> bool:
        with self.database.session() as session:
            return bool(
                session.execute(
                    select(Person.abuse_disclosed).where(Person.sender_id == sender_id)
                ).scalar_one_or_none()
            )

    @guarded
    def set_region(self, sender_id: str, channel: str, region: str) -> None:
        with self.database.session() as session:
            self.person(session, sender_id, channel).region = region

    @guarded
    def region(self, sender_id: str) -> str | None:
        with self.database.session() as session:
            return session.execute(
                select(Person.region).where(Person.sender_id == sender_id)
            ).scalar_one_or_none()

    @guarded
    def export_person(self, sender_id: str) -> dict:
        """Everything stored about this person, as plain data."""
        with self.database.session() as session:
            person = session.execute(
                select(Person).where(Person.sender_id == sender_id)
            ).scalar_one_or_none()
            if person is None:
                return {}
            runs = session.execute(
                select(ExerciseRun)
                .where(ExerciseRun.person_id == person.id)
                .order_by(ExerciseRun.id)
                .options(selectinload(ExerciseRun.answers))
            ).scalars()
            return {
                "channel": person.channel,
                "role": person.role,
                "region": person.region,
                "abuse_disclosed": person.abuse_disclosed,
                "time_zone": person.time_zone,
                "created_at": person.created_at,
                "exercises": [
                    {
                        "exercise": r.exercise_id,
                        "status": r.status,
                        "score": r.score,
                        "started_at": r.started_at,
                        "finished_at": r.finished_at,
                        "answers": [
                            {"step": a.step_id, "answer": a.value, "at": a.answered_at}
                            for a in r.answers
                        ],
                    }
                    for r in runs
                ],
                "reminders": [
                    {
                        "weekday": r.weekday,
                        "time": f"{r.hour:02d}:{r.minute:02d}",
                        "every_weeks": r.every_weeks,
                        "time_zone": r.time_zone,
                        "channel": r.channel,
                        "active": r.active,
                        "next_due_at": r.next_due_at,
                        "last_due_at": r.last_due_at,
                        "last_outcome": r.last_outcome,
                    }
                    for r in person.reminders
                ],
            }

    @guarded
    def delete_person(self, sender_id: str) -> int:
        """Deletes the person and (by cascade) every run and answer; returns rows removed."""
        with self.database.session() as session:
            person = session.execute(
                select(Person).where(Person.sender_id == sender_id)
            ).scalar_one_or_none()
            if person is None:
                return 0
            session.delete(person)  # runs, answers and reminders go with it (ORM cascade)
            return 1
