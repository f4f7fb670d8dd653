"""The exercise engine: which step comes next, what counts as an answer, and the summary.

Pure functions over the content model and a mapping of answers, so they are easy to test
and the same logic serves the form, skip, resume and the saved summaries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from actions.exercises.content_model import PLACEHOLDER, Exercise, Step

ROLE_STEP_ID = "role"
ROLES = ("hurt", "broke_trust")
MAX_TEXT_ANSWER = 4000

NUMBER_WORDS = {
    "zero": 0,
    "none": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
YES_INTENTS = {"affirm"}
NO_INTENTS = {"deny"}


@dataclass(frozen=True)
class Answer:
    value: str
    number: int | None = None

    def as_dict(self) -> dict:
        return {"value": self.value, "number": self.number}


Answers = Mapping[str, Mapping]  # step id -> {"value": str, "number": int | None}


def needs_role(exercise: Exercise, role: str | None) -> bool:
    return exercise.role_aware and role not in ROLES


def is_visible(step: Step, answers: Answers, role: str | None) -> bool:
    condition = step.when
    if condition is None:
        return True
    if condition.role is not None:
        return condition.role == role
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


def step_by_id(exercise: Exercise, step_id: str) -> Step:
    return next(step for step in exercise.steps if step.id == step_id)


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


def parse_number(text: str) -> int | None:
    """Reads a whole number from free text: "7", "7/10", "about six", "a 4"."""
    cleaned = text.lower()
    match = re.search(r"-?\d+", cleaned)
    if match:
        # "7/10" or "7 out of 10": the first number is the answer
        return int(match.group())
    for word in re.findall(r"[a-z]+", cleaned):
        if word in NUMBER_WORDS:
            return NUMBER_WORDS[word]
    return None


def parse_answer(
    step: Step, text: str, choice: str | None = None, intent: str | None = None
) -> Answer | None:
    """The answer a message gives to a step, or None when it does not answer it."""
    text = (text or "").strip()
    if step.kind == "info":
        return Answer("seen")
    if step.kind == "text":
        if not text or text.startswith("/"):
            return None
        return Answer(text[:MAX_TEXT_ANSWER])
    if step.kind == "rating":
        number = parse_number(choice or text)
        if number is None or not step.scale.min <= number <= step.scale.max:
            return None
        return Answer(str(number), number)
    return _parse_choice(step, text, choice, intent)


def _parse_choice(step: Step, text: str, choice: str | None, intent: str | None) -> Answer | None:
    options = step.options
    wanted = choice or ""
    said = _normalise(text)
    found = next((o for o in options if o.value == wanted), None)
    found = found or next(
        (
            o
            for o in options
            if said and said in (_normalise(o.title), _normalise(o.value).replace("_", " "))
        ),
        None,
    )
    if found is None and said.isdigit() and 1 <= int(said) <= len(options):
        found = options[int(said) - 1]  # "2" picks the second button
    if found is None and intent in YES_INTENTS | NO_INTENTS:
        yes_no = "yes" if intent in YES_INTENTS else "no"
        found = step.option(yes_no)
    if found is None:
        return None
    return Answer(found.value, found.score)


def parse_role(text: str, choice: str | None, role_entity: str | None) -> str | None:
    for candidate in (choice, role_entity):
        if candidate in ROLES:
            return candidate
    said = _normalise(text)
    if said in ("hurt", "i was hurt", "i was the one who was hurt"):
        return "hurt"
    if said in ("broke trust", "i broke the trust", "i broke trust", "i did"):
        return "broke_trust"
    return None


@dataclass
class SummaryView:
    title: str
    lines: list[str] = field(default_factory=list)
    paragraph: str | None = None
    score: int | None = None
    score_max: int | None = None
    reading: str | None = None
    next_exercise: str | None = None
    closing: str | None = None

    def as_text(self, score_line: str = "{score}/{score_max}") -> str:
        """The summary as one message; `score_line` is a template from the UI text."""
        parts = [self.title]
        if self.lines:
            parts.append("\n".join(f"• {line}" for line in self.lines))
        if self.paragraph:
            parts.append(self.paragraph)
        if self.score is not None:
            parts.append(score_line.format(score=self.score, score_max=self.score_max))
        if self.reading:
            parts.append(self.reading)
        if self.closing:
            parts.append(self.closing)
        return "\n\n".join(parts)


def _display(step: Step, answer: Mapping) -> str:
    if step.kind == "choice":
        option = step.option(answer["value"])
        return option.title if option else answer["value"]
    return answer["value"]


def _highest(step: Step) -> int:
    if step.kind == "rating":
        return step.scale.max
    return max(option.score or 0 for option in step.options)


def build_summary(exercise: Exercise, answers: Answers) -> SummaryView:
    summary = exercise.summary
    view = SummaryView(title=summary.title, closing=summary.closing)
    for item in summary.items:
        answer = answers.get(item.step)
        if answer is not None:
            view.lines.append(f"{item.label}: {_display(step_by_id(exercise, item.step), answer)}")
    if summary.template:
        wanted = PLACEHOLDER.findall(summary.template)
        if all(step_id in answers for step_id in wanted):
            view.paragraph = PLACEHOLDER.sub(
                lambda m: _display(step_by_id(exercise, m.group(1)), answers[m.group(1)]).rstrip(
                    "."
                ),
                summary.template,
            ).strip()
    if summary.score:
        numbers = [answers[s].get("number") for s in summary.score.steps if s in answers]
        numbers = [n for n in numbers if n is not None]
        if numbers:
            view.score = sum(numbers)
            view.score_max = sum(_highest(step_by_id(exercise, s)) for s in summary.score.steps)
            band = next(
                (b for b in summary.score.bands if view.score <= b.max), summary.score.bands[-1]
            )
            view.reading = band.reading
            view.next_exercise = band.next_exercise
    return view
