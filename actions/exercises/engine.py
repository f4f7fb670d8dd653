"""The exercise engine: which step comes next, what is shown, and the summary.

Pure functions over the content model and a mapping of answers, so they are easy to test
and the same logic serves the question form, skip, resume and the saved summaries. What a
reply means is decided by the reply reader (actions/dialogue/reading.py); this module only
records it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from actions.exercises.content_model import PLACEHOLDER, Exercise, Step

ROLE_STEP_ID = "role"
ROLES = ("hurt", "broke_trust", "neutral")
MAX_TEXT_ANSWER = 4000
SEEN = "seen"  # the value of an information step read without comment

Answers = Mapping[str, Mapping]  # step id -> {"value": str, "number": int | None}


@dataclass(frozen=True)
class Answer:
    value: str
    number: int | None = None

    def as_dict(self) -> dict:
        return {"value": self.value[:MAX_TEXT_ANSWER], "number": self.number}


USE_WRITTEN = "__written__"  # at a text step: "use what I wrote just before" (a button)
SKIPPED = Answer("")  # a skipped step is recorded, so the summary can say so


def is_skipped(answer: Mapping | None) -> bool:
    return answer is not None and not answer.get("value")


def needs_role(exercise: Exercise, role: str | None) -> bool:
    return exercise.role_aware and role not in ROLES


def is_visible(step: Step, answers: Answers, role: str | None) -> bool:
    roles = step.roles
    if roles is not None:
        return role in roles
    condition = step.when
    if condition is None:
        return True
    answer = answers.get(condition.step)
    return answer is not None and answer.get("value") in condition.in_


def next_step_id(
    exercise: Exercise, answers: Answers, role: str | None, after: str | None = None
) -> str | None:
    """The first visible step after `after` (or from the start), or None when finished."""
    if after is None and needs_role(exercise, role):
        return ROLE_STEP_ID
    ids = [step.id for step in exercise.steps]
    start = 0 if after in (None, ROLE_STEP_ID) else ids.index(after) + 1
    for step in exercise.steps[start:]:
        if is_visible(step, answers, role):
            return step.id
    return None


def visible_path(exercise: Exercise, answers: Answers, role: str | None) -> list[str]:
    """The steps this person sees, in order, given the answers so far."""
    path: list[str] = []
    current = next_step_id(exercise, answers, role)
    while current is not None:
        if current != ROLE_STEP_ID:
            path.append(current)
        current = next_step_id(exercise, answers, role, after=current)
    return path


def question_path(exercise: Exercise, answers: Answers, role: str | None) -> list[str]:
    """The visible steps that ask something: what "Question 3 of 7" counts (an information
    step is read, not answered, so it carries no number)."""
    return [
        s for s in visible_path(exercise, answers, role) if step_by_id(exercise, s).kind != "info"
    ]


def branches_on_answers(exercise: Exercise) -> bool:
    """True when later steps depend on earlier answers, so the number of steps can change."""
    return any(s.when is not None and s.when.step is not None for s in exercise.steps)


def step_by_id(exercise: Exercise, step_id: str) -> Step:
    return next(step for step in exercise.steps if step.id == step_id)


def group_after(exercise: Exercise, step_id: str) -> list[Step]:
    """The consecutive steps of `step_id`'s list group, from it on (it first)."""
    steps = exercise.steps
    index = next(i for i, s in enumerate(steps) if s.id == step_id)
    group = steps[index].group
    if group is None:
        return [steps[index]]
    run = []
    for step in steps[index:]:
        if step.group != group:
            break
        run.append(step)
    return run


@dataclass
class SummaryView:
    title: str
    lines: list[str] = field(default_factory=list)
    paragraph: str | None = None
    score: int | None = None
    score_max: int | None = None
    meaning: str | None = None  # which way the score reads
    scored: int = 0  # questions that counted towards the score
    score_questions: int = 0  # questions the score is made of
    reading: str | None = None
    next_exercise: str | None = None
    closing: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_text(self, labels: Mapping[str, str]) -> str:
        """The summary as one message; `labels` are templates from the UI text."""
        parts = [self.title]
        if self.lines:
            parts.append("\n".join(f"• {line}" for line in self.lines))
        if self.paragraph:
            parts.append(self.paragraph)
        if self.notes:
            notes = "\n".join(f"• {note}" for note in self.notes)
            parts.append(f"{labels['notes_heading']}\n{notes}")
        if self.score is not None:
            line = "score_line" if self.scored == self.score_questions else "score_line_partial"
            parts.append(
                labels[line].format(
                    score=self.score,
                    score_max=self.score_max,
                    scored=self.scored,
                    questions=self.score_questions,
                )
            )
            if self.meaning:
                parts.append(self.meaning)  # which way the score reads
            if self.reading is None:
                parts.append(labels["score_too_few"])
        if self.reading:
            parts.append(self.reading)
        if self.closing:
            parts.append(self.closing)
        return "\n\n".join(parts)


def _display(step: Step, answer: Mapping, skipped_mark: str) -> str:
    if is_skipped(answer):
        return skipped_mark
    if step.kind == "choice":
        option = step.option(answer["value"])
        return option.title if option else answer["value"]
    return answer["value"]


def _highest(step: Step) -> int:
    if step.kind == "rating":
        return step.scale.max
    return max(option.score or 0 for option in step.options)


def build_summary(
    exercise: Exercise, answers: Answers, skipped_mark: str, role: str | None = None
) -> SummaryView:
    summary = exercise.summary
    view = SummaryView(title=summary.title, closing=summary.closing_for(role))
    for item in summary.items:
        answer = answers.get(item.step)
        if answer is not None:
            shown = _display(step_by_id(exercise, item.step), answer, skipped_mark)
            view.lines.append(f"{item.label}: {shown}")
    if summary.template:
        wanted = PLACEHOLDER.findall(summary.template)
        if all(step_id in answers and not is_skipped(answers[step_id]) for step_id in wanted):
            view.paragraph = PLACEHOLDER.sub(
                lambda m: _display(
                    step_by_id(exercise, m.group(1)), answers[m.group(1)], skipped_mark
                ).rstrip("."),
                summary.template,
            ).strip()
    view.notes = [
        answers[s.id]["value"]
        for s in exercise.steps
        if s.kind == "info" and answers.get(s.id) and answers[s.id].get("value") not in (SEEN, "")
    ]
    if summary.score:
        _score(view, exercise, answers)
    return view


def _score(view: SummaryView, exercise: Exercise, answers: Answers) -> None:
    """The score of the questions answered, out of what those could have scored: a skipped
    question is left out, not counted as zero. The band is read from the score scaled to
    the whole set, and only when at least half the questions were answered."""
    score = exercise.summary.score
    answered = [s for s in score.steps if s in answers and answers[s].get("number") is not None]
    if not answered:
        return
    view.score = sum(answers[s]["number"] for s in answered)
    view.meaning = score.meaning
    view.score_max = sum(_highest(step_by_id(exercise, s)) for s in answered)
    view.scored, view.score_questions = len(answered), len(score.steps)
    if 2 * len(answered) < len(score.steps):
        return
    full = sum(_highest(step_by_id(exercise, s)) for s in score.steps)
    scaled = view.score * full / view.score_max if view.score_max else view.score
    band = next((b for b in score.bands if scaled <= b.max), score.bands[-1])
    view.reading = band.reading
    view.next_exercise = band.next_exercise
