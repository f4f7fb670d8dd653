"""The second safety net: rule-based detection of crisis and abuse disclosures.

The intent classifier is the first net. This component runs after it (and after the
FallbackClassifier) and overrides the intent with ``crisis`` or ``abuse`` when either
net fires, so every rule, form and channel handles a disclosure the same way, including
in the middle of an exercise. Lemma and phrase patterns live in bot/patterns/safety.yml;
idioms such as "this is killing me" cancel the matches they overlap.

The result is added to the parse data as ``safety``: which nets fired and the categories.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.paths import PATTERNS_DIR

CATEGORIES = ("crisis", "abuse")  # crisis first: an immediate risk to life is answered first
NEGATIVE = "not_a_disclosure"
FALLBACK_INTENT = "nlu_fallback"


@dataclass
class SafetyVerdict:
    rule_categories: set[str] = field(default_factory=set)
    nlu_category: str | None = None

    @property
    def categories(self) -> list[str]:
        found = set(self.rule_categories) | ({self.nlu_category} if self.nlu_category else set())
        return [category for category in CATEGORIES if category in found]

    @property
    def nets(self) -> list[str]:
        return (["rules"] if self.rule_categories else []) + (["nlu"] if self.nlu_category else [])


class SafetyMatcher:
    """Compiled crisis/abuse/idiom patterns for one spaCy vocabulary."""

    def __init__(self, vocab, spec: dict[str, list[Any]]) -> None:
        from spacy.lang.en import English
        from spacy.matcher import Matcher, PhraseMatcher

        make_doc = English(vocab=vocab).make_doc
        self.matcher = Matcher(vocab)
        self.phrases = PhraseMatcher(vocab, attr="LOWER")
        for label in CATEGORIES + (NEGATIVE,):
            patterns = spec.get(label) or []
            token_patterns = [p for p in patterns if isinstance(p, list)]
            phrases = [make_doc(p) for p in patterns if isinstance(p, str)]
            if token_patterns:
                self.matcher.add(label, token_patterns)
            if phrases:
                self.phrases.add(label, phrases)

    def scan(self, doc) -> tuple[set[str], bool]:
        """The categories found (idioms removed) and whether any idiom was found."""
        matches = [
            (doc.vocab.strings[m], s, e)
            for m, s, e in list(self.matcher(doc)) + list(self.phrases(doc))
        ]
        negatives = [(s, e) for label, s, e in matches if label == NEGATIVE]
        found = {
            label
            for label, start, end in matches
            if label != NEGATIVE
            and not any(start < n_end and n_start < end for n_start, n_end in negatives)
        }
        return found, bool(negatives)

    def categories(self, doc) -> set[str]:
        return self.scan(doc)[0]


def load_safety_patterns(path: Path) -> dict[str, list[Any]]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = set(spec) - set(CATEGORIES) - {NEGATIVE}
    if unknown:
        raise ValueError(f"{path}: unknown pattern groups {sorted(unknown)}")
    return spec


def classifier_top(message: Message) -> dict[str, Any] | None:
    """The classifier's first intent, ignoring the fallback that may stand in front of it."""
    ranking = message.get(INTENT_RANKING_KEY) or []
    return next((r for r in ranking if r.get(INTENT_NAME_KEY) != FALLBACK_INTENT), None)


def nlu_category(top: dict[str, Any] | None, min_confidence: float) -> str | None:
    """The safety intent the classifier ranked first, if it is confident enough."""
    if (
        top
        and top[INTENT_NAME_KEY] in CATEGORIES
        and top[PREDICTED_CONFIDENCE_KEY] >= min_confidence
    ):
        return top[INTENT_NAME_KEY]
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyNet(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "patterns": str(PATTERNS_DIR / "safety.yml"),
            "nlu_min_confidence": 0.0,
            "fallback_threshold": 0.3,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.spec = load_safety_patterns(Path(config["patterns"]))
        self._matchers: dict[int, SafetyMatcher] = {}
        # Compile once now so a broken pattern stops the server at start-up, not at the
        # first message (matchers for the real vocabulary are built on first use).
        import spacy

        SafetyMatcher(spacy.blank("en").vocab, self.spec)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyNet:
        return cls(config)

    def matcher_for(self, vocab) -> SafetyMatcher:
        key = id(vocab)
        if key not in self._matchers:
            self._matchers[key] = SafetyMatcher(vocab, self.spec)
        return self._matchers[key]

    def verdict(self, message: Message) -> SafetyVerdict:
        doc = message.get(SPACY_DOCS[TEXT])
        rules, idiom = self.matcher_for(doc.vocab).scan(doc) if doc is not None else (set(), False)
        # An idiom ("this is killing me") also silences the classifier, which is easily
        # swayed by the alarming word in it; the rule net still fires on a real disclosure.
        nlu = (
            None
            if idiom
            else nlu_category(classifier_top(message), self.config["nlu_min_confidence"])
        )
        return SafetyVerdict(rules, nlu)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if not message.get(TEXT) or message.get(TEXT).startswith("/"):
                continue  # button payloads carry their intent already
            verdict = self.verdict(message)
            if verdict.categories:
                self._raise_alarm(message, verdict)
            elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) in CATEGORIES:
                self._demote(message)
        return messages

    @staticmethod
    def _raise_alarm(message: Message, verdict: SafetyVerdict) -> None:
        category = verdict.categories[0]
        top = classifier_top(message)
        intent = {INTENT_NAME_KEY: category, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [
            r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != category
        ]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)
        message.set(
            "safety",
            {"nets": verdict.nets, "categories": verdict.categories, "classifier": top},
            add_to_output=True,
        )

    def _demote(self, message: Message) -> None:
        """Crisis and abuse only ever come from this component: an unsure classifier's
        guess gives way to its next intent, renormalised, or to the fallback (which asks)."""
        ranking = message.get(INTENT_RANKING_KEY) or []
        safety_mass = sum(
            r[PREDICTED_CONFIDENCE_KEY] for r in ranking if r[INTENT_NAME_KEY] in CATEGORIES
        )
        rest = [
            {
                INTENT_NAME_KEY: r[INTENT_NAME_KEY],
                PREDICTED_CONFIDENCE_KEY: r[PREDICTED_CONFIDENCE_KEY] / max(1e-9, 1 - safety_mass),
            }
            for r in ranking
            if r[INTENT_NAME_KEY] not in CATEGORIES and r[INTENT_NAME_KEY] != FALLBACK_INTENT
        ]
        best = rest[0] if rest else None
        if best is None or best[PREDICTED_CONFIDENCE_KEY] < self.config["fallback_threshold"]:
            best = {
                INTENT_NAME_KEY: FALLBACK_INTENT,
                PREDICTED_CONFIDENCE_KEY: self.config["fallback_threshold"],
            }
            rest = [best] + rest
        message.set(INTENT, best, add_to_output=True)
        message.set(INTENT_RANKING_KEY, rest, add_to_output=True)
