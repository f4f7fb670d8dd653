"""Schema of the exercise content files (docs/exercise-content.md), validated with pydantic.

pydantic (already a Rasa dependency) gives precise error locations for free; the loader
prefixes them with the file name so a broken file is easy to find.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, root_validator, validator

from bot.content import Strict

Role = Literal["hurt", "broke_trust", "neutral"]  # neutral: "word it for both of us"
StepKind = Literal["text", "choice", "rating", "info"]
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


class Option(Strict):
    value: str
    title: str = Field(..., max_length=40)
    score: int | None = None
    synonyms: list[str] = []  # other words people type for it ("every hour" for often)

    @validator("value")
    def value_is_snake_case(cls, value: str) -> str:
        if not SNAKE_CASE.match(value):
            raise ValueError(f"option value {value!r} must be snake_case")
        return value


class Scale(Strict):
    min: int
    max: int
    low: str
    high: str

    @root_validator(skip_on_failure=True)
    def ordered(cls, values):
        if values["min"] >= values["max"]:
            raise ValueError("scale min must be below max")
        return values


class Condition(Strict):
    role: Role | list[Role] | None = None
    step: str | None = None
    in_: list[str] | None = Field(None, alias="in")

    @root_validator(skip_on_failure=True)
    def one_kind(cls, values):
        by_role = values.get("role") is not None
        by_answer = values.get("step") is not None and values.get("in_") is not None
        if by_role == by_answer:
            raise ValueError("`when` needs either `role` or both `step` and `in`")
        return values


class Prefill(Strict):
    """An answer the person may already have given: a slot value mapped to an option."""

    slot: str
    values: dict[str, str]  # slot value -> option value


class Step(Strict):
    id: str
    kind: StepKind
    group: str | None = None  # consecutive text steps of one list: one message can fill them
    prefill: Prefill | None = None
    prompt: str | None = None
    prompt_by_role: dict[Role, str] | None = None
    prompt_neutral: str | None = None  # for "word it for both of us"
    hint: str | None = None
    # The examples in the hint speak in one side's voice; "word it for both of us" gets its own.
    hint_neutral: str | None = None
    options: list[Option] | None = None
    scale: Scale | None = None
    when: Condition | None = None

    @validator("id")
    def id_is_snake_case(cls, value: str) -> str:
        if not SNAKE_CASE.match(value):
            raise ValueError(f"step id {value!r} must be snake_case")
        return value

    @root_validator(skip_on_failure=True)
    def fits_its_kind(cls, values):
        if (values.get("prompt") is None) == (values.get("prompt_by_role") is None):
            raise ValueError("a step needs exactly one of `prompt` or `prompt_by_role`")
        by_role = values.get("prompt_by_role")
        if by_role is not None and not {"hurt", "broke_trust"} <= set(by_role):
            raise ValueError("`prompt_by_role` needs both `hurt` and `broke_trust`")
        kind = values["kind"]
        options = values.get("options")
        if (kind == "choice") != (options is not None):
            raise ValueError("`options` belong to choice steps, and choice steps need them")
        if options is not None and not 2 <= len(options) <= 6:
            raise ValueError("a choice step needs 2 to 6 options")
        if (kind == "rating") != (values.get("scale") is not None):
            raise ValueError("`scale` belongs to rating steps, and rating steps need it")
        return values

    def prompt_for(self, role: str | None) -> str:
        if role == "neutral" and self.prompt_neutral is not None:
            return self.prompt_neutral
        if self.prompt is not None:
            return self.prompt
        return self.prompt_by_role.get(role or "hurt") or self.prompt_by_role["hurt"]

    def hint_for(self, role: str | None) -> str | None:
        if role == "neutral" and self.hint_neutral is not None:
            return self.hint_neutral
        return self.hint

    @property
    def roles(self) -> tuple[str, ...] | None:
        """The roles this step is shown to, or None for everyone."""
        if self.when is None or self.when.role is None:
            return None
        role = self.when.role
        return tuple(role) if isinstance(role, list) else (role,)

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options or [] if o.value == value), None)


class SummaryItem(Strict):
    step: str
    label: str


class ScoreBand(Strict):
    max: int
    reading: str
    next_exercise: str | None = None


class Score(Strict):
    steps: list[str]
    meaning: str  # which way the score reads ("the higher, the more often ..."), said with it
    bands: list[ScoreBand]

    @validator("bands")
    def bands_ascending(cls, bands: list[ScoreBand]) -> list[ScoreBand]:
        maxima = [band.max for band in bands]
        if not bands or maxima != sorted(maxima):
            raise ValueError("score bands must be listed with ascending `max`")
        return bands


class Summary(Strict):
    title: str
    items: list[SummaryItem] = []
    template: str | None = None
    score: Score | None = None
    closing: str | None = None
    # When what the person wrote depends on their side (an apology draft or a hurt carried).
    closing_by_role: dict[Role, str] | None = None

    def closing_for(self, role: str | None) -> str | None:
        if self.closing_by_role:
            return self.closing_by_role.get(role or "hurt") or self.closing
        return self.closing


class Exercise(Strict):
    id: str
    title: str
    purpose: str
    intro: str
    role_aware: bool = False
    steps: list[Step]
    summary: Summary

    @root_validator(skip_on_failure=True)
    def references_resolve(cls, values):
        steps: list[Step] = values["steps"]
        seen: dict[str, Step] = {}
        for step in steps:
            if step.id in seen:
                raise ValueError(f"step {step.id!r}: duplicate step id")
            condition = step.when
            if condition is not None and condition.step is not None:
                earlier = seen.get(condition.step)
                if earlier is None:
                    raise ValueError(
                        f"step {step.id!r}: `when` refers to {condition.step!r}, "
                        "which is not an earlier step"
                    )
                if earlier.options is not None:
                    unknown = set(condition.in_) - {o.value for o in earlier.options}
                    if unknown:
                        raise ValueError(
                            f"step {step.id!r}: `when` uses unknown options {sorted(unknown)}"
                        )
            if step.prefill is not None:
                if step.options is None:
                    raise ValueError(f"step {step.id!r}: `prefill` belongs to choice steps")
                unknown = set(step.prefill.values.values()) - {o.value for o in step.options}
                if unknown:
                    raise ValueError(
                        f"step {step.id!r}: `prefill` uses unknown options {sorted(unknown)}"
                    )
            if step.group is not None and step.kind != "text":
                raise ValueError(f"step {step.id!r}: `group` belongs to text steps")
            if step.hint and step.prompt_neutral and not step.hint_neutral:
                # a neutral question with examples in the hurt partner's voice reads as taking sides
                raise ValueError(
                    f"step {step.id!r}: a neutral prompt and a hint need `hint_neutral`"
                )
            if step.hint_neutral and not step.prompt_neutral:
                raise ValueError(f"step {step.id!r}: `hint_neutral` goes with `prompt_neutral`")
            if step.prompt_by_role is not None and not values["role_aware"]:
                raise ValueError(f"step {step.id!r}: `prompt_by_role` needs `role_aware: true`")
            seen[step.id] = step
        summary: Summary = values["summary"]
        referenced = [item.step for item in summary.items]
        referenced += PLACEHOLDER.findall(summary.template or "")
        referenced += summary.score.steps if summary.score else []
        for step_id in referenced:
            if step_id not in seen:
                raise ValueError(f"summary refers to step {step_id!r}, which does not exist")
        if summary.score:
            for step_id in summary.score.steps:
                if seen[step_id].kind not in ("choice", "rating"):
                    raise ValueError(f"score step {step_id!r} must be a choice or rating step")
        return values
